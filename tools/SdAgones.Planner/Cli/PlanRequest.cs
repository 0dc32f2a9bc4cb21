using System.Globalization;
using SdAgones.Planner.Input;
using SdAgones.Planner.Report;
using SdAgones.Planner.Simulation;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Planner.Cli;

/// <summary>A planner run as the command line states it, checked: every bad value names its option and what is allowed.</summary>
public sealed record PlanRequest(
    string? EventsPath,
    SyntheticProfile? Profile,
    IReadOnlyList<PlanSetting> Grid,
    Target Target,
    SimulationParameters Parameters,
    TimeSpan RecordedIdleTimeout,
    string? HtmlPath)
{
    /// <summary>The product's idle defaults (<see cref="IdleOptions"/>), so the planner starts where the platform does.</summary>
    public static readonly IdleOptions ProductIdle = new();

    public static IReadOnlyList<int> Whole(string option, string text, int min) =>
        List<int>(option, text, s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min ? v : null,
            $"whole numbers ≥ {min}, comma-separated (such as 0,1,3,5)");

    public static IReadOnlyList<TimeSpan> Positive(string option, string text) =>
        List<TimeSpan>(option, text, s => Durations.TryParse(s, out var t) && t > TimeSpan.Zero ? t : (TimeSpan?)null,
            "durations > 0, comma-separated (such as 5m,10m,15m or 90s)");

    public static TimeSpan Duration(string option, string text, bool allowZero = false) =>
        Durations.TryParse(text, out var t) && (t > TimeSpan.Zero || (allowZero && t == TimeSpan.Zero)) ? t
        : throw new PlannerInputException($"{option}: '{text}' is not a duration {(allowZero ? "≥ 0" : "> 0")} (such as 30s, 5m, 1h30m).");

    public static WarmUp ParseWarmUp(string text)
    {
        var parts = text.Split("..");
        var min = Duration("--warmup", parts[0], allowZero: true);
        var max = parts.Length == 2 ? Duration("--warmup", parts[1], allowZero: true) : min;
        return parts.Length <= 2 && max >= min ? new WarmUp(min, max)
            : throw new PlannerInputException($"--warmup: '{text}' is not a warm-up (allowed: a duration such as 30s, or MIN..MAX such as 20s..60s with MIN ≤ MAX).");
    }

    private static IReadOnlyList<T> List<T>(string option, string text, Func<string, T?> parse, string allowed) where T : struct
    {
        var values = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            values.Add(parse(part) ?? throw new PlannerInputException($"{option}: '{part}' is not allowed (allowed: {allowed})."));
        }

        return values.Distinct().ToList();
    }
}
