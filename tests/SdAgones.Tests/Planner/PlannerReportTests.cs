using System.Text.RegularExpressions;
using SdAgones.Planner.Cli;
using SdAgones.Planner.Input;
using SdAgones.Planner.Report;
using SdAgones.Planner.Simulation;

namespace SdAgones.Tests.Planner;

public sealed partial class PlannerReportTests
{
    private static PlanRequest SyntheticWeek(string target, int seed = 7) => new(
        null,
        new SyntheticProfile { People = 120, Days = 7 },
        (from b in new[] { 0, 1, 3 } from t in new[] { 5, 15 } select new PlanSetting(b, TimeSpan.FromMinutes(t), "buffer")).ToList(),
        Target.Parse(target),
        new SimulationParameters(new WarmUp(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60)), TimeSpan.FromSeconds(10), 100, seed),
        TimeSpan.FromMinutes(15),
        null);

    [Fact]
    public void A_synthetic_week_gives_a_report_with_both_plots_the_table_and_a_recommendation()
    {
        var report = SdAgones.Planner.Planner.Plan(SyntheticWeek("p95<=60s"));
        var html = HtmlReport.Render(report);

        Assert.Equal(6, report.Outcomes.Count);
        var best = report.Recommendation.Best;
        Assert.NotNull(best);
        Assert.True(best.Waits.P95Seconds <= 60, $"recommended p95 {best.Waits.P95Seconds}");
        Assert.DoesNotContain(report.Outcomes, o => report.Recommendation.Target.IsMet(o) && o.TotalGpuHours < best.TotalGpuHours);
        Assert.StartsWith($"Recommendation for p95<=60s: {best.Setting}", report.Recommendation.Sentence, StringComparison.Ordinal);

        Assert.Contains(report.Recommendation.Sentence.Replace(">", "&gt;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal), html, StringComparison.Ordinal);
        var figures = Figure().Matches(html).Select(m => (Id: m.Groups[1].Value, Body: m.Groups[2].Value)).ToList();
        Assert.Equal(["pareto", "day"], figures.Select(f => f.Id));
        foreach (var (id, body) in figures)
        {
            Assert.True(Regex.Count(body, "<svg") == 1, $"{id}: one inline SVG");
            Assert.True(Regex.Count(body, "<path") > 10, $"{id}: the plot draws its data");
        }

        Assert.Contains("Pareto front", figures[0].Body, StringComparison.Ordinal);
        Assert.Contains("bound runtimes", figures[1].Body, StringComparison.Ordinal);
        Assert.Equal(6, Regex.Count(html, "<tr( class=\"[a-z]+\")?><td>buffer</td>"));
    }

    [Fact]
    public void The_same_seed_gives_the_same_plan_and_another_seed_another()
    {
        var a = SdAgones.Planner.Planner.Plan(SyntheticWeek("p95<=60s", seed: 3)).Outcomes;
        var b = SdAgones.Planner.Planner.Plan(SyntheticWeek("p95<=60s", seed: 3)).Outcomes;
        var c = SdAgones.Planner.Planner.Plan(SyntheticWeek("p95<=60s", seed: 4)).Outcomes;

        Assert.Equal(a, b);
        Assert.NotEqual(a.Select(o => o.BoundGpuHours), c.Select(o => o.BoundGpuHours));
    }

    [Fact]
    public void A_target_no_setting_meets_is_said_with_the_closest_setting()
    {
        var report = SdAgones.Planner.Planner.Plan(SyntheticWeek("max<=1s"));

        Assert.Null(report.Recommendation.Best);
        Assert.StartsWith("No setting meets max<=1s; the closest is buffer 3, idle 15m with max 1.7 s", report.Recommendation.Sentence, StringComparison.Ordinal);
    }

    [GeneratedRegex("<figure id=\"([a-z]+)\">(.*?)</figure>", RegexOptions.Singleline)]
    private static partial Regex Figure();
}
