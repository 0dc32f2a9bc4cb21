using System.Globalization;
using SdAgones.Planner.Simulation;

namespace SdAgones.Planner.Report;

/// <summary>The answer under a target: the cheapest setting (total GPU-hours) that meets it, and the Pareto front of cost against p95 wait.</summary>
public sealed record Recommendation(Target Target, SettingOutcome? Best, SettingOutcome Closest)
{
    public static Recommendation For(Target target, IReadOnlyList<SettingOutcome> outcomes)
    {
        var best = outcomes.Where(target.IsMet)
            .OrderBy(o => o.TotalGpuHours).ThenBy(o => o.Waits.P95Seconds).ThenBy(o => o.Setting.Buffer).FirstOrDefault();
        var closest = outcomes.OrderBy(o => target.Measure(o.Waits)).ThenBy(o => o.TotalGpuHours).First();
        return new Recommendation(target, best, closest);
    }

    public string Sentence => Best is { } b
        ? string.Create(CultureInfo.InvariantCulture,
            $"Recommendation for {Target.Text}: {b.Setting} — {b.TotalGpuHours:0.0} GPU-hours ({b.BoundGpuHours:0.0} bound, {b.UnusedGpuHours:0.0} Ready but unused), p95 wait {Durations.Seconds(b.Waits.P95Seconds)}.")
        : string.Create(CultureInfo.InvariantCulture,
            $"No setting meets {Target.Text}; the closest is {Closest.Setting} with {Target.Metric} {Describe(Target, Closest)} at {Closest.TotalGpuHours:0.0} GPU-hours.");

    private static string Describe(Target t, SettingOutcome o) =>
        t.Metric == "share" ? string.Create(CultureInfo.InvariantCulture, $"{o.Waits.ShareOverMinute:0.#%}") : Durations.Seconds(t.Measure(o.Waits));

    /// <summary>Settings that serve everyone and that no other such setting beats on both total GPU-hours and p95 wait, cheapest first.</summary>
    public static IReadOnlyList<SettingOutcome> ParetoFront(IReadOnlyList<SettingOutcome> all)
    {
        var outcomes = all.Where(o => o.Waits.NeverServed == 0).ToList();
        return outcomes.Where(o => !outcomes.Any(x =>
                x.TotalGpuHours <= o.TotalGpuHours && x.Waits.P95Seconds <= o.Waits.P95Seconds &&
                (x.TotalGpuHours < o.TotalGpuHours || x.Waits.P95Seconds < o.Waits.P95Seconds)))
            .OrderBy(o => o.TotalGpuHours).ToList();
    }
}
