using Yarp.ReverseProxy.Forwarder;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Copies the request as YARP does, then removes every header and cookie that carries identity (IAP's and ours,
/// which a client could forge or a runtime replay) and sets <c>X-Forwarded-*</c> from what the gateway itself saw.
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

        var request = httpContext.Request;
        proxyRequest.Headers.Remove("Cookie");
        if (RuntimeCookies(request.Headers.Cookie) is { Length: > 0 } cookies)
        {
            proxyRequest.Headers.TryAddWithoutValidation("Cookie", cookies);
        }

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

    /// <summary>
    /// The request's cookies without those that carry identity: the gateway's own sign-in cookie and IAP's
    /// (<c>GCP_IAP_*</c>, <c>__Host-GCP_IAP_*</c>, <c>__Secure-GCP_IAP_*</c>), which a runtime could otherwise replay.
    /// </summary>
    public static string RuntimeCookies(Microsoft.Extensions.Primitives.StringValues headers) =>
        string.Join("; ", headers.SelectMany(h => (h ?? "").Split(';'))
            .Select(c => c.Trim())
            .Where(c => c.Length > 0 && !IsPrivateCookie(c.Split('=', 2)[0].Trim())));

    public static bool IsPrivateCookie(string name) =>
        string.Equals(name, Identity.DevSignIn.Cookie, StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("GCP_IAP_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("__Host-GCP_IAP_", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("__Secure-GCP_IAP_", StringComparison.OrdinalIgnoreCase);

    /// <summary>Headers that carry identity: IAP's (x-goog-*) and the gateway's own (X-SdAgones-*).</summary>
    public static bool IsPrivate(string name) =>
        name.StartsWith("x-goog-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("X-SdAgones-", StringComparison.OrdinalIgnoreCase);
}
