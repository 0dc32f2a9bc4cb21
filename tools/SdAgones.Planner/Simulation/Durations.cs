using System.Globalization;
using System.Text.RegularExpressions;

namespace SdAgones.Planner.Simulation;

/// <summary>Durations as people write them on a command line: <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>7d</c>, <c>250ms</c>.</summary>
public static partial class Durations
{
    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(ms|d|h|m|s))+$")]
    private static partial Regex Shape();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|d|h|m|s)")]
    private static partial Regex Part();

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        text = text.Trim();
        if (!Shape().IsMatch(text))
        {
            return false;
        }

        foreach (Match m in Part().Matches(text))
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            value += m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "d" => TimeSpan.FromDays(n),
                _ => TimeSpan.FromHours(n),
            };
        }

        return true;
    }

    public static string Format(TimeSpan t) =>
        t.TotalMilliseconds % 1000 != 0 ? $"{t.TotalMilliseconds:0}ms"
        : t.TotalSeconds % 60 != 0 ? $"{t.TotalSeconds:0}s"
        : t.TotalMinutes % 60 != 0 || t.TotalHours < 1 ? $"{t.TotalMinutes:0}m"
        : t.TotalHours % 24 != 0 ? $"{t.TotalHours:0}h"
        : $"{t.TotalDays:0}d";

    /// <summary>Seconds for a table cell: <c>42 s</c>, <c>3.5 min</c>, or <c>never</c> for a person never served.</summary>
    public static string Seconds(double s) =>
        double.IsPositiveInfinity(s) ? "never" : s < 120 ? string.Create(CultureInfo.InvariantCulture, $"{s:0.#} s") : string.Create(CultureInfo.InvariantCulture, $"{s / 60:0.#} min");
}
