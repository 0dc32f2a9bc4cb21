using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SdAgones.Cruiser;

/// <summary>The cruiser's one ActivitySource and one Meter, named <c>SdAgones.Cruiser</c>.</summary>
public sealed class CruiserTelemetry : IDisposable
{
    public const string Name = "SdAgones.Cruiser";
    public static readonly ActivitySource Source = new(Name);
    private readonly Meter meter;

    public CruiserTelemetry(IMeterFactory meters)
    {
        meter = meters.Create(Name);
        ReclaimLag = meter.CreateSecondsHistogram("sdagones.reclaim.lag", "Time from a session's idle deadline to its release");
        SessionsExamined = meter.CreateHistogram<long>("sdagones.cruiser.sessions_examined", "{session}", "Sessions looked at in one idle pass");
        PassDuration = meter.CreateSecondsHistogram("sdagones.cruiser.pass.duration", "Duration of one idle pass");
        meter.CreateObservableGauge("sdagones.queue.length", ObserveQueueLength, "{person}",
            "People waiting for a runtime, by profile, read by the cruiser that holds the lease at its last pass");
    }

    private volatile IReadOnlyList<(string Profile, long Length)> queueLengths = [];

    /// <summary>Records each profile's waiting line length read at the last pass (only the lease holder reads them; null: not the holder).</summary>
    public void RecordQueueLength(IReadOnlyList<(string Profile, long Length)>? lengths) => queueLengths = lengths ?? [];

    private IEnumerable<Measurement<long>> ObserveQueueLength() =>
        queueLengths.Select(l => new Measurement<long>(l.Length, new KeyValuePair<string, object?>("profile", l.Profile)));

    public Histogram<double> ReclaimLag { get; }
    public Histogram<long> SessionsExamined { get; }
    public Histogram<double> PassDuration { get; }

    public void Dispose() => meter.Dispose();
}
