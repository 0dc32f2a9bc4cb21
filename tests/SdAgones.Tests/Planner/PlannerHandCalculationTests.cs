using SdAgones.Planner.Cli;
using SdAgones.Planner.Report;
using SdAgones.Planner.Simulation;

namespace SdAgones.Tests.Planner;

public sealed class PlannerHandCalculationTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("planner-hand-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // Replay of HandMadeLog with Buffer 1, warm-up 30 s, cruiser pass every 10 s, FIFO, node pool max 100.
    // The Fleet starts with 1 Ready runtime (R0). Seconds after the first event:
    //   0     alice arrives, takes R0 (wait 0); desired 1+1 = 2 → R1 starts (Ready at 30)
    //   10    bob arrives, waits;  20 carol arrives, waits
    //   30    R1 Ready → bob (wait 20); desired 3 → R2 starts (Ready at 60); bob gives back at 30+600 = 630
    //   60    R2 Ready → carol (wait 40); desired 4 → R3 starts (Ready at 90); carol last active 60+930 = 990
    //   90    R3 Ready, nobody waiting: 1 Ready from here on
    //   1500  alice again; 1600 she gives back (active 100 s)
    //
    // Idle timeout 5 min: alice's first runtime reclaimed at the first pass ≥ 300+300 = 600; carol's at 990+300 = 1290.
    //   1500: alice waits for nobody: R3 is Ready → bound (wait 0); desired 2 → R4 starts, Ready at 1530.
    //   bound  = alice 600 + 100 + bob 600 + carol (1290−60) 1230 = 2530 s
    //   unused = starting 0–30, 30–60, 60–90 (90) + Ready 90–1500 (1410) + starting 1500–1530 (30) + Ready 1530–1900 (370) = 1900 s
    // Idle timeout 15 min: alice reclaimed at 300+900 = 1200, carol at 990+900 = 1890; at 1500 R3 goes to alice, R4 starts.
    //   bound  = alice 1200 + 100 + bob 600 + carol (1890−60) 1830 = 3730 s; unused = 90 + 1410 + 30 + 370 = 1900 s
    // Idle timeout 30 min: alice's first runtime would go at 300+1800 = 2100, so at 1500 it is still hers: no wait,
    //   last activity 1600 and she gives back then → bound 0–1600. Carol reclaimed at 990+1800 = 2790 (accounted to 2790).
    //   bound  = 1600 + 600 + (2790−60) 2730 = 4930 s; unused = 90 + Ready 90–2790 (2700) = 2790 s
    // Cruiser pass every 60 s instead (5 min): alice's due 600 is a pass; carol's due 1290 waits for the pass at 1320.
    //   bound  = 600 + 100 + 600 + (1320−60) 1260 = 2560 s; unused unchanged, 1900 s (only the allocated count moves)
    // Waits in every case: alice 0, bob 20, carol 40, alice 0 → sorted 0,0,20,40: p50 (rank 2) 0 s, p95 (rank 4) 40 s, max 40 s.
    [Theory]
    [InlineData("jsonl", "5m", 10, 2530, 1900)]
    [InlineData("jsonl", "15m", 10, 3730, 1900)]
    [InlineData("jsonl", "30m", 10, 4930, 2790)]
    [InlineData("jsonl", "5m", 60, 2560, 1900)]
    [InlineData("csv", "5m", 10, 2530, 1900)]
    [InlineData("csv", "30m", 10, 4930, 2790)]
    public void Replaying_three_people_gives_the_GPU_seconds_and_waits_worked_out_by_hand(string format, string timeout, int checkSeconds, int boundSeconds, int unusedSeconds)
    {
        var report = SdAgones.Planner.Planner.Plan(Request(HandMadeLog.Export(dir, format), "1", timeout, checkSeconds: checkSeconds));

        var outcome = Assert.Single(report.Outcomes);
        Assert.Equal(boundSeconds, Math.Round(outcome.BoundGpuHours * 3600, 6));
        Assert.Equal(unusedSeconds, Math.Round(outcome.UnusedGpuHours * 3600, 6));
        Assert.Equal(4, outcome.Waits.Count);
        Assert.Equal(0, outcome.Waits.P50Seconds);
        Assert.Equal(40, outcome.Waits.P95Seconds);
        Assert.Equal(40, outcome.Waits.MaxSeconds);
        Assert.Equal(0, outcome.Waits.ShareOverMinute);
    }

    // Buffer 0 (Agones' Buffer policy wants only the allocated ones): the Fleet never makes a runtime Ready,
    // so each of the four arrivals is never served and costs nothing; the control row (Buffer 1) serves all four.
    [Fact]
    public void A_buffer_of_zero_serves_nobody_while_a_buffer_of_one_serves_everyone()
    {
        var report = SdAgones.Planner.Planner.Plan(Request(HandMadeLog.Export(dir, "jsonl"), "0,1", "5m"));

        var zero = report.Outcomes.Single(o => o.Setting.Buffer == 0);
        Assert.Equal(4, zero.Waits.NeverServed);
        Assert.Equal(0, zero.TotalGpuHours);
        var one = report.Outcomes.Single(o => o.Setting.Buffer == 1);
        Assert.Equal(0, one.Waits.NeverServed);
        Assert.Equal(one.Setting, report.Recommendation.Best?.Setting);
    }

    // The log's own figures (from bound/released events): 4 sessions, held 600+1200+100+1830 = 3730 s — the same
    // as the replay with the recorded 15-minute timeout above, whose only difference is the waits' warm-up.
    [Fact]
    public void The_recorded_run_is_summarised_beside_the_simulation()
    {
        var report = SdAgones.Planner.Planner.Plan(Request(HandMadeLog.Export(dir, "jsonl"), "1", "15m"));

        var seen = report.Trace.Observed!;
        Assert.Equal(4, seen.Sessions);
        Assert.Equal(3730, seen.BoundGpuSeconds);
        Assert.Equal([0, 30, 50, 0], seen.WaitSeconds);
        Assert.Equal(3730, Math.Round(report.Outcomes[0].BoundGpuHours * 3600, 6));
    }

    internal static PlanRequest Request(string events, string buffers, string timeouts, string target = "p95<=60s", int checkSeconds = 10) =>
        new(events, null,
            (from b in PlanRequest.Whole("--buffer", buffers, 0) from t in PlanRequest.Positive("--idle-timeout", timeouts) select new PlanSetting(b, t, "buffer")).ToList(),
            Target.Parse(target),
            new SimulationParameters(new WarmUp(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(checkSeconds), 100, 1),
            TimeSpan.FromMinutes(15), null);
}
