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

    /// <summary>Headers that carry identity: IAP's (x-goog-*) and the gateway's own (X-SdAgones-*).</summary>
    public static bool IsPrivate(string name) =>
        name.StartsWith("x-goog-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("X-SdAgones-", StringComparison.OrdinalIgnoreCase);
}
