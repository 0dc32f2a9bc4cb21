using Microsoft.Extensions.Options;

namespace SdAgones.Runtimes.Forecast;

/// <summary>
/// Expected arrivals at a Fleet within the next warm-up time, from the same stretch of time on past days (docs/forecast.md):
/// each past day of the look-back weighs by its age (half-life) and kind (the same weekday 1, another day of the same
/// kind — Mon–Fri or Sat–Sun — <see cref="ForecastOptions.SameKindWeight"/>, else 0), each 15-minute bucket is smoothed
/// with its neighbours (¼, ½, ¼), and the weighted mean over the known days is the expectation.
/// </summary>
public sealed class ArrivalForecast(ArrivalHistory history, IOptions<ForecastOptions> options)
{
    private static readonly double[] Kernel = [0.25, 0.5, 0.25];

    /// <summary>One past day the forecast reads: the same local stretch <paramref name="DaysAgo"/> days back, and its weight.</summary>
    public readonly record struct PastWindow(int DaysAgo, DateTimeOffset Start, DateTimeOffset End, double Weight);

    /// <summary>The expected arrivals from <paramref name="now"/> to <paramref name="now"/> + <paramref name="within"/>, or null without history.</summary>
    public async Task<double?> ExpectedAsync(string fleet, DateTimeOffset now, TimeSpan within)
    {
        if (await history.SinceAsync(fleet) is not { } since)
        {
            return null;
        }

        var zone = FloorWindow.FindZone(options.Value.TimeZone) ?? TimeZoneInfo.Utc;
        var windows = PastWindows(now, within, since, zone, options.Value);
        if (windows.Count == 0)
        {
            return null;
        }

        var counts = await history.CountsAsync(fleet, windows.SelectMany(w => BucketsRead(w.Start, w.End)));
        return Expected(windows, counts);
    }

    /// <summary>The past days that count for this moment, with their weights (none: no history for this kind of day).</summary>
    public static IReadOnlyList<PastWindow> PastWindows(DateTimeOffset now, TimeSpan within, DateTimeOffset since, TimeZoneInfo zone, ForecastOptions settings)
    {
        var localNow = LocalClock.ToLocal(now, zone);
        var firstKnownDay = DateOnly.FromDateTime(LocalClock.ToLocal(since, zone));
        var windows = new List<PastWindow>();
        for (var d = 1; d <= settings.LookbackDays; d++)
        {
            var localStart = localNow.AddDays(-d);
            if (DateOnly.FromDateTime(localStart) < firstKnownDay)
            {
                break;
            }

            var kind = localStart.DayOfWeek == localNow.DayOfWeek ? 1.0 : IsWeekend(localStart.DayOfWeek) == IsWeekend(localNow.DayOfWeek) ? settings.SameKindWeight : 0;
            var weight = kind * Math.Pow(0.5, d / settings.HalfLifeDays);
            if (weight > 0)
            {
                var start = LocalClock.ToUtc(localStart, zone);
                windows.Add(new PastWindow(d, start, start + within, weight));
            }
        }

        return windows;
    }

    /// <summary>The weighted mean over the past windows of their smoothed, overlap-weighted bucket counts.</summary>
    public static double Expected(IReadOnlyList<PastWindow> windows, IReadOnlyDictionary<long, double> counts)
    {
        double sum = 0, weights = 0;
        foreach (var window in windows)
        {
            sum += window.Weight * Arrivals(window.Start, window.End, counts);
            weights += window.Weight;
        }

        return weights > 0 ? sum / weights : 0;
    }

    /// <summary>Smoothed arrivals in [<paramref name="start"/>, <paramref name="end"/>): each bucket's ¼-½-¼ mean times the share of it inside.</summary>
    public static double Arrivals(DateTimeOffset start, DateTimeOffset end, IReadOnlyDictionary<long, double> counts)
    {
        var total = 0.0;
        for (var bucket = ArrivalHistory.BucketOf(start); ArrivalHistory.StartOf(bucket) < end; bucket++)
        {
            var from = Max(start, ArrivalHistory.StartOf(bucket));
            var to = Min(end, ArrivalHistory.StartOf(bucket + 1));
            var share = (to - from) / ArrivalHistory.Bucket;
            var smoothed = 0.0;
            for (var k = -1; k <= 1; k++)
            {
                smoothed += Kernel[k + 1] * counts.GetValueOrDefault(bucket + k);
            }

            total += share * smoothed;
        }

        return total;
    }

    /// <summary>
    /// The Ready runtimes that serve everyone arriving in a window in <paramref name="coverage"/> of such windows, when
    /// arrivals are Poisson with mean <paramref name="expected"/>: the smallest k with P(N ≤ k) ≥ coverage.
    /// </summary>
    public static int ReadyFor(double expected, double coverage)
    {
        if (expected <= 0)
        {
            return 0;
        }

        if (expected > 500)
        {
            return (int)Math.Ceiling(expected + NormalQuantile(coverage) * Math.Sqrt(expected)); // Poisson ≈ normal this far out
        }

        var p = Math.Exp(-expected);
        var cdf = p;
        var k = 0;
        while (cdf < coverage && k < 10_000)
        {
            k++;
            p *= expected / k;
            cdf += p;
        }

        return k;
    }

    private static IEnumerable<long> BucketsRead(DateTimeOffset start, DateTimeOffset end)
    {
        for (var bucket = ArrivalHistory.BucketOf(start) - 1; ArrivalHistory.StartOf(bucket - 1) < end; bucket++)
        {
            yield return bucket;
        }
    }

    private static bool IsWeekend(DayOfWeek day) => day is DayOfWeek.Saturday or DayOfWeek.Sunday;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    // Abramowitz & Stegun 26.2.23 (absolute error below 4.5e-4): ample for a replica count.
    private static double NormalQuantile(double p)
    {
        var t = Math.Sqrt(-2 * Math.Log(p < 0.5 ? p : 1 - p));
        var z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
        return p < 0.5 ? -z : z;
    }
}
