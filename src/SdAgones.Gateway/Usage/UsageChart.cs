using System.Globalization;
using System.Text;
using SdAgones.Gateway.Pages;
using SdAgones.Runtimes.Usage;

namespace SdAgones.Gateway.Usage;

/// <summary>A bar per day as inline SVG rendered on the server: the chart reads without JavaScript and prints as it shows.</summary>
internal static class UsageChart
{
    private const int BarWidth = 22;
    private const int Gap = 6;
    private const int Height = 120;

    /// <summary>GPU hours per day for <paramref name="days"/>, oldest on the left; an optional dashed line at the daily limit.</summary>
    public static string Svg(IReadOnlyList<(DateOnly Day, double GpuSeconds)> days, TimeSpan? dailyLimit, string id)
    {
        var top = Math.Max(days.Count == 0 ? 0 : days.Max(d => d.GpuSeconds), dailyLimit?.TotalSeconds ?? 0);
        top = top <= 0 ? 3600 : top;
        var width = days.Count * (BarWidth + Gap) + Gap;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg id="{PageLayout.Encode(id)}" role="img" aria-label="GPU time per day, last {days.Count} days" viewBox="0 0 {width} {Height + 18}" width="100%" height="{Height + 18}" preserveAspectRatio="xMinYMin meet">""");
        for (var i = 0; i < days.Count; i++)
        {
            var (day, seconds) = days[i];
            var h = seconds <= 0 ? 0 : Math.Max(1, seconds / top * Height);
            var x = Gap + i * (BarWidth + Gap);
            svg.Append(CultureInfo.InvariantCulture,
                $"""<rect class="bar" data-day="{UsageCalendar.Name(day)}" data-seconds="{seconds:0}" x="{x}" y="{Height - h:0.#}" width="{BarWidth}" height="{h:0.#}" fill="#6d5dfc"><title>{UsageCalendar.Name(day)}: {QuotaPolicy.Describe(TimeSpan.FromSeconds(seconds))}</title></rect>""");
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text x="{x + BarWidth / 2}" y="{Height + 14}" font-size="9" text-anchor="middle" fill="currentColor">{day.Day}</text>""");
        }

        if (dailyLimit is { } limit)
        {
            var y = Height - limit.TotalSeconds / top * Height;
            svg.Append(CultureInfo.InvariantCulture,
                $"""<line class="limit" x1="0" x2="{width}" y1="{y:0.#}" y2="{y:0.#}" stroke="#e5484d" stroke-dasharray="4 3"><title>daily limit {QuotaPolicy.Describe(limit)}</title></line>""");
        }

        return svg.Append("</svg>").ToString();
    }
}
