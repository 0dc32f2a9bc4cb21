using System.Diagnostics.Metrics;

namespace SdAgones.LocalAgones;

/// <summary>LocalAgones' own instruments, so an idle control plane can be seen to be idle (issue 13).</summary>
public sealed class LocalAgonesMetrics
{
    /// <summary>The meter's name (exported by the service defaults' <c>SdAgones.*</c> rule).</summary>
    public const string MeterName = "SdAgones.LocalAgones";

    /// <summary>Counts fleet controller reconcile passes.</summary>
    public const string ReconcilePasses = "sdagones.localagones.reconcile.passes";

    private readonly Counter<long> passes;

    public LocalAgonesMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        passes = meter.CreateCounter<long>(ReconcilePasses, "{pass}", "Reconcile passes of the fleet controller");
    }

    public void ReconcilePass() => passes.Add(1);
}
