using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SdAgones.Gateway;

/// <summary>The gateway's one ActivitySource and one Meter, named <c>SdAgones.Gateway</c>.</summary>
internal sealed class GatewayTelemetry : IDisposable
{
    public const string Name = "SdAgones.Gateway";
    public static readonly ActivitySource Source = new(Name);
    private readonly Meter meter;

    public GatewayTelemetry(IMeterFactory meters)
    {
        meter = meters.Create(Name);
        Allocations = meter.CreateCounter<long>("sdagones.allocations", "{allocation}", "Allocation attempts by outcome");
        AllocationDuration = meter.CreateSecondsHistogram("sdagones.allocation.duration", "Time to allocate a runtime");
        ForwardErrors = meter.CreateCounter<long>("sdagones.forward.errors", "{error}", "Requests that could not be forwarded to a runtime");
    }

    public Counter<long> Allocations { get; }
    public Histogram<double> AllocationDuration { get; }
    public Counter<long> ForwardErrors { get; }

    public void ObserveSessions(Func<long> activeSessions) =>
        meter.CreateObservableGauge("sdagones.sessions.active", activeSessions, "{session}", "Sessions this gateway instance holds in memory");

    public void Dispose() => meter.Dispose();
}
