using System.Globalization;
using System.Text.RegularExpressions;
using SdAgones.Planner.Input;
using SdAgones.Planner.Simulation;

namespace SdAgones.Planner.Report;

/// <summary>
/// The service level the recommendation must meet: <c>p50|p95|max</c> wait <c>&lt;=</c> a duration
/// (<c>p95&lt;=60s</c>), or <c>share</c> of arrivals waiting over a minute <c>&lt;=</c> a percentage (<c>share&lt;=5%</c>).
/// </summary>
public sealed partial record Target(string Metric, double Limit, string Text)
{
    [GeneratedRegex(@"^\s*(p50|p95|max|share)\s*<=\s*(\S+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Shape();

    public static Target Parse(string text)
    {
        var m = Shape().Match(text);
        if (!m.Success)
        {
            throw new PlannerInputException($"--target: '{text}' is not a target (allowed: p50|p95|max<=DURATION such as p95<=60s, or share<=PERCENT such as share<=5%).");
        }

        var metric = m.Groups[1].Value.ToLowerInvariant();
        var value = m.Groups[2].Value;
        if (metric == "share")
        {
            return value.EndsWith('%') && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var pct) && pct is >= 0 and <= 100
                ? new Target(metric, pct / 100, text.Trim())
                : throw new PlannerInputException($"--target: '{value}' is not a percentage between 0% and 100%.");
        }

        return Durations.TryParse(value, out var limit)
            ? new Target(metric, limit.TotalSeconds, text.Trim())
            : throw new PlannerInputException($"--target: '{value}' is not a duration (such as 60s, 2m).");
    }

    public double Measure(WaitStats w) => Metric switch
    {
        "p50" => w.P50Seconds,
        "p95" => w.P95Seconds,
        "max" => w.MaxSeconds,
        _ => w.ShareOverMinute,
    };

    public bool IsMet(SettingOutcome o) => Measure(o.Waits) <= Limit;
}
