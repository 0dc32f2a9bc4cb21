using System.Diagnostics.Metrics;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Bucket boundaries for every SdAgones histogram in seconds, 5 ms to 10 min, so percentiles read right for a 0.3 s
/// allocation and a 4 min reclaim lag alike (the SDK's default buckets, 0-10000, are made for milliseconds).
/// </summary>
public static class SecondsHistogram
{
    /// <summary>Upper bounds of the buckets, in seconds.</summary>
    public static IReadOnlyList<double> Boundaries { get; } =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300, 600];

    /// <summary>
    /// A histogram with unit <c>s</c> (OpenTelemetry's unit for durations; the name carries no unit suffix) that
    /// advises <see cref="Boundaries"/> to any listener, the OpenTelemetry SDK included.
    /// </summary>
    public static Histogram<double> CreateSecondsHistogram(this Meter meter, string name, string description) =>
        meter.CreateHistogram(name, "s", description, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Boundaries });
}
