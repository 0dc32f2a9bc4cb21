using Microsoft.Extensions.Options;

namespace SdAgones.Gateway.Edge;

/// <summary>
/// Stops another site's page from acting through a signed-in person's browser: every state-changing method and every
/// WebSocket upgrade is refused when <c>Sec-Fetch-Site</c> is <c>cross-site</c> or <c>Origin</c> is present and not
/// the platform's own (<c>Origin: null</c> is foreign). Clients that send neither header (scripts) are unaffected.
/// The runtimes' WebUI checks no origins, so this is the only guard.
/// </summary>
internal sealed class CrossSiteGuard(IOptionsMonitor<EdgeOptions> options)
{
    /// <summary>The reason to refuse the request, or null when it may pass.</summary>
    public string? Refusal(HttpRequest request)
    {
        var upgrade = IsWebSocketUpgrade(request);
        if (!upgrade && !ChangesState(request.Method))
        {
            return null;
        }

        var what = upgrade ? "WebSocket connections" : $"{request.Method} requests";
        if (string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "cross-site", StringComparison.OrdinalIgnoreCase))
        {
            return $"{what} from another site's page are refused (Sec-Fetch-Site: cross-site)";
        }

        var origins = request.Headers.Origin;
        if (origins.Count == 0)
        {
            return null;
        }

        var origin = origins.Count == 1 ? origins[0] ?? "" : "";
        return IsOwn(request, origin) ? null : $"{what} from another site's page are refused (Origin {Shorten(origin)} is not this platform)";
    }

    private bool IsOwn(HttpRequest request, string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || origin.EndsWith('/'))
        {
            return false; // includes "null", sent by sandboxed frames, data: URLs and file: pages
        }

        var allowed = options.CurrentValue.AllowedOriginList;
        if (allowed.Count > 0)
        {
            return allowed.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var own) && SameOrigin(own, uri));
        }

        var scheme = request.Headers["X-Forwarded-Proto"].ToString().Split(',')[0].Trim() is { Length: > 0 } forwarded ? forwarded : request.Scheme;
        return Uri.TryCreate($"{scheme}://{request.Host.Value}", UriKind.Absolute, out var self) && SameOrigin(self, uri);
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    /// <summary>Anything but GET, HEAD and OPTIONS (RFC 9110 §9.2.1 safe methods, plus preflights).</summary>
    public static bool ChangesState(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));

    /// <summary>An HTTP/1.1 upgrade to WebSocket or an HTTP/2 extended CONNECT for one.</summary>
    public static bool IsWebSocketUpgrade(HttpRequest request) =>
        request.HttpContext.WebSockets.IsWebSocketRequest
        || request.Headers.Upgrade.Any(u => u?.Contains("websocket", StringComparison.OrdinalIgnoreCase) == true);

    private static string Shorten(string origin) => origin.Length > 80 ? origin[..80] + "…" : origin;
}
