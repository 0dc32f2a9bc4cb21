using System.Globalization;
using System.Net;
using System.Text;
using SdAgones.Planner.Simulation;

namespace SdAgones.Planner.Report;

/// <summary>
/// One self-contained HTML page: the recommendation, the grid table, and two ScottPlot SVG plots inline — total
/// GPU-hours against p95 wait per setting with the Pareto front drawn, and arrivals, Ready and bound runtimes over the
/// day for the recommended (or closest) setting.
/// </summary>
public static class HtmlReport
{
    public static string Render(PlanReport report)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SdAgones capacity plan</title>\n")
            .Append("<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1000px}table{border-collapse:collapse}")
            .Append("td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}td:first-child{text-align:left}")
            .Append("tr.best{background:#e6f4ea;font-weight:600}tr.miss{color:#888}figure{margin:1.5rem 0}</style></head><body>\n")
            .Append("<h1>SdAgones capacity plan</h1>\n")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"recommendation\"><strong>{E(report.Recommendation.Sentence)}</strong></p>\n")
            .Append(CultureInfo.InvariantCulture, $"<p>Input: {E(report.Source)} — {report.Trace.VisitCount} visits in {report.Trace.Pools.Count} pool(s), ")
            .Append(CultureInfo.InvariantCulture, $"{report.Trace.HorizonMs / 3_600_000.0:0.#} hours from {report.Trace.Origin:u}. Warm-up {E(report.Parameters.WarmUp.ToString())}, ")
            .Append(CultureInfo.InvariantCulture, $"cruiser pass every {Durations.Format(report.Parameters.CheckInterval)}, node pool maximum {report.Parameters.MaxRuntimes} runtimes, seed {report.Parameters.Seed}, waiting order {E($"{report.Parameters.WaitingOrder}")}.</p>\n");

        html.Append("<table><thead><tr><th>policy</th><th>buffer</th><th>idle timeout</th><th>GPU-h bound</th><th>GPU-h Ready unused</th>")
            .Append("<th>GPU-h total</th><th>p50 wait</th><th>p95 wait</th><th>max wait</th><th>waited &gt; 1 min</th></tr></thead><tbody>\n");
        foreach (var o in report.Outcomes)
        {
            var css = report.Recommendation.Best?.Setting == o.Setting ? " class=\"best\"" : report.Recommendation.Target.IsMet(o) ? "" : " class=\"miss\"";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr{css}><td>{E(o.Setting.Policy)}</td><td>{o.Setting.Buffer}</td><td>{Durations.Format(o.Setting.IdleTimeout)}</td><td>{o.BoundGpuHours:0.00}</td>")
                .Append(CultureInfo.InvariantCulture,
                $"<td>{o.UnusedGpuHours:0.00}</td><td>{o.TotalGpuHours:0.00}</td><td>{Durations.Seconds(o.Waits.P50Seconds)}</td><td>{Durations.Seconds(o.Waits.P95Seconds)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{Durations.Seconds(o.Waits.MaxSeconds)}</td><td>{o.Waits.ShareOverMinute:0.0%}</td></tr>\n");
        }

        html.Append("</tbody></table>\n")
            .Append("<figure id=\"pareto\"><figcaption>Total GPU-hours against p95 wait for each setting; the line joins the Pareto front (no setting is both cheaper and quicker).</figcaption>\n")
            .Append(ParetoPlot(report)).Append("\n</figure>\n")
            .Append(CultureInfo.InvariantCulture, $"<figure id=\"day\"><figcaption>Arrivals per hour and mean Ready and bound runtimes by time of day (UTC, {DayTimeline.BinMinutes}-minute bins, averaged over the days) for {E(report.DaySetting.ToString())}.</figcaption>\n")
            .Append(DayPlot(report)).Append("\n</figure>\n")
            .Append("<p>Model and assumptions: docs/planner.md in the SdAgones repository.</p>\n</body></html>\n");
        return html.ToString();
    }

    private static string ParetoPlot(PlanReport report)
    {
        var plot = new ScottPlot.Plot();
        var served = report.Outcomes.Where(o => !double.IsPositiveInfinity(o.Waits.P95Seconds)).ToList();
        var all = plot.Add.ScatterPoints(served.Select(o => o.TotalGpuHours).ToArray(), served.Select(o => o.Waits.P95Seconds).ToArray());
        all.LegendText = "setting";
        all.MarkerSize = 7;
        foreach (var o in served)
        {
            var label = plot.Add.Text($"{o.Setting.Buffer}/{Durations.Format(o.Setting.IdleTimeout)}", o.TotalGpuHours, o.Waits.P95Seconds);
            label.LabelFontSize = 10;
        }

        var front = Recommendation.ParetoFront(served);
        if (front.Count > 0)
        {
            var line = plot.Add.Scatter(front.Select(o => o.TotalGpuHours).ToArray(), front.Select(o => o.Waits.P95Seconds).ToArray());
            line.LegendText = "Pareto front";
            line.LineWidth = 2;
            line.MarkerSize = 10;
        }

        if (report.Recommendation.Target.Metric == "p95")
        {
            var limit = plot.Add.HorizontalLine(report.Recommendation.Target.Limit);
            limit.LegendText = report.Recommendation.Target.Text;
            limit.LinePattern = ScottPlot.LinePattern.Dashed;
        }

        plot.Title("GPU-hours against p95 wait (labels: buffer/idle timeout)");
        plot.XLabel("GPU-hours (bound + Ready unused)");
        plot.YLabel("p95 wait (s)");
        plot.ShowLegend();
        return plot.GetSvgHtml(900, 520);
    }

    private static string DayPlot(PlanReport report)
    {
        var plot = new ScottPlot.Plot();
        var hours = report.Day.Hours;
        var arrivals = plot.Add.Scatter(hours, report.Day.ArrivalsPerHour);
        arrivals.LegendText = "arrivals per hour";
        arrivals.MarkerSize = 0;
        var ready = plot.Add.Scatter(hours, report.Day.MeanReady);
        ready.LegendText = "Ready runtimes";
        ready.MarkerSize = 0;
        var bound = plot.Add.Scatter(hours, report.Day.MeanBound);
        bound.LegendText = "bound runtimes";
        bound.MarkerSize = 0;
        plot.Title($"Over the day: {report.DaySetting}");
        plot.XLabel("hour of day (UTC)");
        plot.YLabel("count");
        plot.ShowLegend();
        return plot.GetSvgHtml(900, 420);
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
