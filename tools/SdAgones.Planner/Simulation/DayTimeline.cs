namespace SdAgones.Planner.Simulation;

/// <summary>Arrivals, Ready and bound runtimes by time of day (UTC, 15-minute bins), averaged over the days of the trace.</summary>
public sealed class DayTimeline(DateTimeOffset origin, long horizonMs)
{
    public const int BinMinutes = 15;
    private const long BinMs = BinMinutes * 60_000L;
    private const int Bins = 24 * 60 / BinMinutes;
    private readonly long offsetMs = (long)origin.UtcDateTime.TimeOfDay.TotalMilliseconds;
    private readonly double days = Math.Max(1, horizonMs / 86_400_000.0);
    private readonly double[] arrivals = new double[Bins];
    private readonly double[] readyMs = new double[Bins];
    private readonly double[] boundMs = new double[Bins];

    public void Arrival(long atMs) => arrivals[Bin(atMs + offsetMs)]++;

    public void Span(long fromMs, long toMs, int ready, int starting, int allocated)
    {
        for (var a = fromMs + offsetMs; a < toMs + offsetMs;)
        {
            var end = Math.Min(toMs + offsetMs, ((a / BinMs) + 1) * BinMs);
            var bin = Bin(a);
            readyMs[bin] += ready * (double)(end - a);
            boundMs[bin] += allocated * (double)(end - a);
            a = end;
        }
    }

    /// <summary>Hour of day at each bin's start.</summary>
    public double[] Hours => Enumerable.Range(0, Bins).Select(b => b * BinMinutes / 60.0).ToArray();

    /// <summary>Arrivals per hour, averaged over the days.</summary>
    public double[] ArrivalsPerHour => arrivals.Select(a => a / days * (60.0 / BinMinutes)).ToArray();

    public double[] MeanReady => readyMs.Select(r => r / days / BinMs).ToArray();

    public double[] MeanBound => boundMs.Select(r => r / days / BinMs).ToArray();

    private static int Bin(long dayMs) => (int)(dayMs % 86_400_000L / BinMs);
}
