using System.Diagnostics;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Copies the request as YARP does, then removes every header and cookie that carries identity (IAP's and ours,
/// which a client could forge or a runtime replay) and sets <c>X-Forwarded-*</c> from what the gateway itself saw.
/// A client's own trace headers never pass through: a traced request gets the gateway's from HttpClient's diagnostics
/// handler; an untraced one gets a <c>traceparent</c> marked not sampled, so the runtime does not trace it either.
/// </summary>
internal sealed class RuntimeTransformer(PrivateHeaderScan scan, bool traced) : HttpTransformer
{
    /// <summary>The transformer of a traced request (the diagnostics handler adds the trace headers).</summary>
    public static readonly RuntimeTransformer Instance = new(PrivateHeaderScan.Incoming, traced: true);

    // Set by the gateway itself (below, or by the diagnostics handler): whatever the client sent under these names is dropped.
    private static readonly string[] ReplacedHeaders =
        ["traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded"];

    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        var request = httpContext.Request;
        if (scan == PrivateHeaderScan.Incoming)
        {
            foreach (var header in request.Headers)
            {
                if (IsPrivate(header.Key) || IsReplaced(header.Key))
                {
                    proxyRequest.Headers.Remove(header.Key);
                }
            }
        }
        else
        {
            foreach (var name in proxyRequest.Headers.Select(h => h.Key).Where(n => IsPrivate(n) || IsReplaced(n)).ToList())
            {
                proxyRequest.Headers.Remove(name);
            }
        }

        if (!traced && Activity.Current is { } current)
        {
            proxyRequest.Headers.TryAddWithoutValidation("traceparent", $"00-{current.TraceId.ToHexString()}-{current.SpanId.ToHexString()}-00");
        }

        if (request.Headers.ContainsKey(HeaderNames.Cookie))
        {
            proxyRequest.Headers.Remove("Cookie");
            if (RuntimeCookies(request.Headers.Cookie) is { Length: > 0 } cookies)
            {
                proxyRequest.Headers.TryAddWithoutValidation("Cookie", cookies);
            }
        }

        if (httpContext.Connection.RemoteIpAddress is { } remote)
        {
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", remote.ToString());
        }

        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.ToString());
    }

    private static bool IsReplaced(string name)
    {
        foreach (var replaced in ReplacedHeaders)
        {
            if (string.Equals(name, replaced, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
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
