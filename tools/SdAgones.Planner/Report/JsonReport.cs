using System.Text.Json;
using SdAgones.Planner.Simulation;

namespace SdAgones.Planner.Report;

/// <summary>The run's figures unrounded (<c>--json FILE</c>), for scripts such as the comparison with a real platform run.</summary>
public static class JsonReport
{
    public static string Render(PlanReport report)
    {
        var observed = report.Trace.Observed is { } seen
            ? new
            {
                sessions = seen.Sessions,
                boundGpuSeconds = seen.BoundGpuSeconds,
                waits = Stats(WaitStats.Of(seen.WaitSeconds.Select(s => (long)Math.Round(s * 1000)).ToList())),
                leftLine = seen.LeftLine,
            }
            : null;
        return JsonSerializer.Serialize(new
        {
            source = report.Source,
            visits = report.Trace.VisitCount,
            order = report.Parameters.WaitingOrder.ToString(),
            observed,
            settings = report.Outcomes.Select(o => new
            {
                policy = o.Setting.Policy,
                buffer = o.Setting.Buffer,
                idleTimeoutSeconds = o.Setting.IdleTimeout.TotalSeconds,
                boundGpuSeconds = o.BoundGpuHours * 3600,
                unusedGpuSeconds = o.UnusedGpuHours * 3600,
                waits = Stats(o.Waits),
            }),
            recommendation = report.Recommendation.Sentence,
        }, new JsonSerializerOptions { WriteIndented = true });
    }

    private static object Stats(WaitStats w) => new
    {
        count = w.Count,
        p50Seconds = Finite(w.P50Seconds),
        p95Seconds = Finite(w.P95Seconds),
        maxSeconds = Finite(w.MaxSeconds),
        shareOverMinute = w.ShareOverMinute,
        neverServed = w.NeverServed,
    };

    private static double? Finite(double s) => double.IsPositiveInfinity(s) ? null : s;
}
