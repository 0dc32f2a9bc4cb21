using SdAgones.Planner.Input;

namespace SdAgones.Planner.Simulation;

/// <summary>The result of one grid cell over all pools: GPU-hours and the wait percentiles people would have seen.</summary>
public sealed record SettingOutcome(PlanSetting Setting, double BoundGpuHours, double UnusedGpuHours, WaitStats Waits)
{
    public double TotalGpuHours => BoundGpuHours + UnusedGpuHours;
}

/// <summary>Wait percentiles (nearest rank) over every arrival, including arrivals that found their runtime still bound (0 s).</summary>
public sealed record WaitStats(int Count, double P50Seconds, double P95Seconds, double MaxSeconds, double ShareOverMinute, int NeverServed)
{
    public static WaitStats Of(List<long> waitsMs)
    {
        if (waitsMs.Count == 0)
        {
            return new WaitStats(0, 0, 0, 0, 0, 0);
        }

        waitsMs.Sort();
        double Rank(double p) => Seconds(waitsMs[Math.Max(0, (int)Math.Ceiling(p * waitsMs.Count) - 1)]);
        return new WaitStats(waitsMs.Count, Rank(0.50), Rank(0.95), Seconds(waitsMs[^1]),
            waitsMs.Count(w => w > 60_000) / (double)waitsMs.Count, waitsMs.Count(w => w == PoolOutcome.NeverServed));
    }

    private static double Seconds(long ms) => ms == PoolOutcome.NeverServed ? double.PositiveInfinity : ms / 1000.0;
}

/// <summary>Runs every grid cell over every pool of the trace; cells are independent, so they run in parallel.</summary>
public static class GridRunner
{
    public static IReadOnlyList<SettingOutcome> Run(Trace trace, IReadOnlyList<PlanSetting> grid, SimulationParameters parameters,
        Action? cellDone = null)
    {
        var results = new SettingOutcome[grid.Count];
        Parallel.For(0, grid.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            results[i] = RunOne(trace, grid[i], parameters, timeline: null);
            cellDone?.Invoke();
        });
        return results;
    }

    public static SettingOutcome RunOne(Trace trace, PlanSetting setting, SimulationParameters parameters, DayTimeline? timeline)
    {
        long boundMs = 0, unusedMs = 0;
        var waits = new List<long>(trace.VisitCount);
        var poolIndex = 0;
        foreach (var (_, visits) in trace.Pools.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var outcome = new FleetSimulation(visits, setting, parameters, trace.Origin, timeline, poolIndex++).Run(trace.HorizonMs);
            boundMs += outcome.BoundMs;
            unusedMs += outcome.UnusedMs;
            waits.AddRange(outcome.WaitsMs);
        }

        return new SettingOutcome(setting, boundMs / 3_600_000.0, unusedMs / 3_600_000.0, WaitStats.Of(waits));
    }
}
