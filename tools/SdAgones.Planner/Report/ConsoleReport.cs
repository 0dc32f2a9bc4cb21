using System.Globalization;
using SdAgones.Planner.Simulation;
using Spectre.Console;

namespace SdAgones.Planner.Report;

/// <summary>The grid as a terminal table, the Pareto front and target marked, and the recommendation under it.</summary>
public static class ConsoleReport
{
    public static void Write(IAnsiConsole console, PlanReport report)
    {
        var front = Recommendation.ParetoFront(report.Outcomes).Select(o => o.Setting).ToHashSet();
        var trace = report.Trace;
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
            $"Replayed {trace.VisitCount} visits in {trace.Pools.Count} pool(s) over {trace.HorizonMs / 3_600_000.0:0.#} h from {report.Source}; warm-up {report.Parameters.WarmUp}, node pool max {report.Parameters.MaxRuntimes}, seed {report.Parameters.Seed}.");
        console.MarkupLineInterpolated(CultureInfo.InvariantCulture, $"Waiting order: {report.Parameters.WaitingOrder}.");
        if (trace.Observed is { } seen)
        {
            var w = WaitStats.Of(seen.WaitSeconds.Select(s => (long)(s * 1000)).ToList());
            console.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"The log itself: {seen.Sessions} sessions bound, {seen.BoundGpuSeconds / 3600:0.00} bound GPU-hours, p50/p95/max wait {Durations.Seconds(w.P50Seconds)} / {Durations.Seconds(w.P95Seconds)} / {Durations.Seconds(w.MaxSeconds)}, {seen.LeftLine} left the line.");
        }

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("policy").AddColumn(new TableColumn("buffer").RightAligned()).AddColumn(new TableColumn("idle timeout").RightAligned())
            .AddColumn(new TableColumn("GPU-h bound").RightAligned()).AddColumn(new TableColumn("GPU-h Ready unused").RightAligned())
            .AddColumn(new TableColumn("GPU-h total").RightAligned()).AddColumn(new TableColumn("p50 wait").RightAligned())
            .AddColumn(new TableColumn("p95 wait").RightAligned()).AddColumn(new TableColumn("max wait").RightAligned())
            .AddColumn(new TableColumn("waited > 1 min").RightAligned()).AddColumn("");
        foreach (var o in report.Outcomes)
        {
            var marks = string.Join(' ', new[]
            {
                report.Recommendation.Best?.Setting == o.Setting ? "recommended" : null,
                front.Contains(o.Setting) ? "pareto" : null,
                report.Recommendation.Target.IsMet(o) ? null : "misses target",
            }.Where(m => m is not null));
            table.AddRow(
                o.Setting.Policy, o.Setting.Buffer.ToString(CultureInfo.InvariantCulture), Durations.Format(o.Setting.IdleTimeout),
                Hours(o.BoundGpuHours), Hours(o.UnusedGpuHours), Hours(o.TotalGpuHours),
                Durations.Seconds(o.Waits.P50Seconds), Durations.Seconds(o.Waits.P95Seconds), Durations.Seconds(o.Waits.MaxSeconds),
                o.Waits.ShareOverMinute.ToString("0.0%", CultureInfo.InvariantCulture), marks);
        }

        console.Write(table);
        console.WriteLine(report.Recommendation.Sentence);
    }

    private static string Hours(double h) => h.ToString("0.00", CultureInfo.InvariantCulture);
}
