namespace SdAgones.Runtimes.Usage;

/// <summary>
/// The fair-share order of the waiting line, as pure functions a capacity planner can reuse (docs/fair-share.md).
/// A person's priority is their arrival time pushed back by a handicap that grows with their decayed GPU usage and
/// never exceeds <c>maxWaitBehindLater</c>; the lowest priority is served first. Because the handicap is bounded, a
/// person never waits behind anyone who arrived more than <c>maxWaitBehindLater</c> after them (the ageing bound), and
/// with equal usage the order is first come, first served.
/// </summary>
public static class FairShare
{
    /// <summary>
    /// Usage decayed with a half-life, as Slurm's multifactor priority does (<c>PriorityDecayHalfLife</c>):
    /// Σ gpuSeconds × 2^(−age / halfLife). A day bucket's age is taken from its middle (today: the middle of the part
    /// that has passed), so the figure moves by day, not by second.
    /// </summary>
    public static double DecayedUsage(IEnumerable<(DateOnly Day, double GpuSeconds)> usage, DateTimeOffset now, TimeSpan halfLife)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(halfLife, TimeSpan.Zero);
        var total = 0.0;
        foreach (var (day, seconds) in usage)
        {
            var start = UsageCalendar.StartOf(day);
            var end = UsageCalendar.StartOf(day.AddDays(1));
            var middle = start + ((now < end ? now : end) - start) / 2;
            var age = now > middle ? now - middle : TimeSpan.Zero;
            total += seconds * Math.Pow(2, -age / halfLife);
        }

        return total;
    }

    /// <summary>
    /// How much later than their arrival a person counts: maxWaitBehindLater × u / (u + usageScale), where
    /// u = decayed GPU-seconds / weight. Zero for no usage, half the bound at <paramref name="usageScale"/>, never the bound.
    /// </summary>
    public static TimeSpan Handicap(double decayedGpuSeconds, double weight, TimeSpan usageScale, TimeSpan maxWaitBehindLater)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(weight, 0);
        var u = Math.Max(0, decayedGpuSeconds) / weight;
        return maxWaitBehindLater * (u / (u + usageScale.TotalSeconds));
    }

    /// <summary>
    /// The waiting line's score for a person who arrived at <paramref name="arrival"/>: milliseconds since the Unix
    /// epoch of arrival + <see cref="Handicap"/>. Lower is served first.
    /// </summary>
    public static double Priority(
        DateTimeOffset arrival, double decayedGpuSeconds, double weight, TimeSpan usageScale, TimeSpan maxWaitBehindLater) =>
        arrival.ToUnixTimeMilliseconds() + Math.Floor(Handicap(decayedGpuSeconds, weight, usageScale, maxWaitBehindLater).TotalMilliseconds);
}
