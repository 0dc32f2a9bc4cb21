using Yarp.ReverseProxy.Forwarder;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Copies the request as YARP does, then removes every header the runtime must not trust (IAP's and ours, which a
/// client could forge) and sets <c>X-Forwarded-*</c> from what the gateway itself saw.
/// </summary>
internal sealed class RuntimeTransformer : HttpTransformer
{
    public static readonly RuntimeTransformer Instance = new();

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        foreach (var name in proxyRequest.Headers.Select(h => h.Key).Where(IsPrivate).ToList())
        {
            proxyRequest.Headers.Remove(name);
        }

        StripPrivateCookies(proxyRequest);
        var request = httpContext.Request;
        proxyRequest.Headers.Remove("X-Forwarded-For");
        proxyRequest.Headers.Remove("X-Forwarded-Proto");
        proxyRequest.Headers.Remove("X-Forwarded-Host");
        proxyRequest.Headers.Remove("Forwarded");
        if (httpContext.Connection.RemoteIpAddress is { } remote)
        {
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", remote.ToString());
        }

        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.ToString());
    }

    /// <summary>Removes the gateway's sign-in cookie and IAP's cookies (<c>GCP_IAP_*</c>, <c>__Host-GCP_IAP_*</c>); the runtime's own stay.</summary>
    private static void StripPrivateCookies(HttpRequestMessage proxyRequest)
    {
        if (!proxyRequest.Headers.TryGetValues("Cookie", out var values))
        {
            return;
        }

        var kept = values.SelectMany(value => value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Where(cookie => !IsPrivateCookie(cookie.Split('=', 2)[0]))
            .ToList();
        proxyRequest.Headers.Remove("Cookie");
        if (kept.Count > 0)
        {
            proxyRequest.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", kept));
        }
    }

    private static bool IsPrivateCookie(string name) =>
        name == Identity.DevSignIn.Cookie
        || name.StartsWith("GCP_IAP_", StringComparison.Ordinal)
        || name.StartsWith("__Host-GCP_IAP_", StringComparison.Ordinal);

    /// <summary>Headers that carry identity: IAP's (x-goog-*) and the gateway's own (X-SdAgones-*).</summary>
    public static bool IsPrivate(string name) =>
        name.StartsWith("x-goog-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("X-SdAgones-", StringComparison.OrdinalIgnoreCase);
}
