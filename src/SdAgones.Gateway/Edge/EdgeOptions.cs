using System.ComponentModel.DataAnnotations;

namespace SdAgones.Gateway.Edge;

/// <summary>What the gateway accepts at its edge (section <c>Gateway</c>): whose pages may act, and how much one person may hold.</summary>
public sealed class EdgeOptions
{
    public const string Section = "Gateway";

    /// <summary>
    /// Origins (<c>https://sd.example.com</c>, comma-separated) whose pages may send state-changing requests and open
    /// WebSockets. Empty: only the origin the request itself was sent to (scheme from <c>X-Forwarded-Proto</c> when
    /// the load balancer sets it, and the <c>Host</c>).
    /// </summary>
    public string AllowedOrigins { get; set; } = "";

    /// <summary>Concurrent WebSockets one person may hold through the gateway.</summary>
    [Range(1, 10_000)]
    public int WebSocketsPerPerson { get; set; } = 32;

    /// <summary>Concurrent forwarded requests (WebSockets included) one person may hold: bounds slow and stalled bodies.</summary>
    [Range(1, 100_000)]
    public int RequestsPerPerson { get; set; } = 256;

    /// <summary>Requests per second one identity may make to the gateway's own <c>/_sd/</c> APIs, sustained.</summary>
    [Range(1, 100_000)]
    public int ApiRequestsPerSecond { get; set; } = 20;

    /// <summary>Requests one identity may make to the <c>/_sd/</c> APIs in a burst.</summary>
    [Range(1, 1_000_000)]
    public int ApiBurst { get; set; } = 200;

    public IReadOnlyList<string> AllowedOriginList =>
        AllowedOrigins.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
