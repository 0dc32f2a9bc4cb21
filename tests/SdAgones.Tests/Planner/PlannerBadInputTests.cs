using SdAgones.Planner.Cli;
using SdAgones.Planner.Input;
using SdAgones.Planner.Report;

namespace SdAgones.Tests.Planner;

public sealed class PlannerBadInputTests : IDisposable
{
    private const string Bound = """{"v":1,"seq":2,"at":"2026-11-23T09:00:00+00:00","state":"bound","person":"alice","runtime":"gs-a","fleet":"sd-webui","profile":"","reason":null,"waitedSeconds":0,"heldSeconds":null}""";
    private const string Released = """{"v":1,"seq":3,"at":"2026-11-23T09:10:00+00:00","state":"released","person":"alice","runtime":"gs-a","fleet":"sd-webui","profile":"","reason":"gave_back","waitedSeconds":null,"heldSeconds":600}""";
    private readonly string dir = Directory.CreateTempSubdirectory("planner-bad-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("events.jsonl", "", "events.jsonl: the file is empty (no session events).")]
    [InlineData("events.jsonl", "\n  \n", "events.jsonl: the file is empty (no session events).")]
    [InlineData("events.jsonl", Bound + "\n" + """{"v":2,"seq":3,"at":"2026-11-23T09:10:00+00:00","state":"released","person":"alice","fleet":"f","profile":""}""",
        "events.jsonl line 2: unknown event version 2; this planner reads version 1.")]
    [InlineData("events.jsonl", """{"seq":1,"at":"2026-11-23T09:00:00+00:00","state":"queued","person":"alice","fleet":"f","profile":""}""",
        "events.jsonl line 1: no shape version (field \"v\"); this planner reads version 1.")]
    [InlineData("events.jsonl", Bound + "\n\n" + """{"v":1,"seq":3,"at":"2026-11-23T09:10:00+00:00","state":"released","person":"alice","runtime":"gs-a","fleet":"f","profile":"","reason":"gave_back","heldSeconds":-5}""",
        "events.jsonl line 3: heldSeconds is negative (-5); durations must be ≥ 0.")]
    [InlineData("events.jsonl", Bound + "\nnot json", "events.jsonl line 2: not a session event ('not json' is an invalid JSON literal).")]
    [InlineData("events.jsonl", """{"v":1,"seq":1,"at":"2026-11-23T09:00:00+00:00","state":"paused","person":"alice","fleet":"f","profile":""}""",
        "events.jsonl line 1: unknown state 'paused' (allowed: queued, allocating, bound, released).")]
    [InlineData("events.csv", "v,seq,at,state,person,runtime,fleet,profile,reason,waitedSeconds,heldSeconds\n1,1,2026-11-23T09:00:00Z,queued,alice,,f,,,,\n1,2,2026-11-23T09:00:30Z,bound,alice,gs-a,f,,,-30,",
        "events.csv line 3: waitedSeconds is negative (-30); durations must be ≥ 0.")]
    [InlineData("events.csv", "v,seq,at,state,person,runtime,fleet,profile,reason,waitedSeconds,heldSeconds\n3,1,2026-11-23T09:00:00Z,queued,alice,,f,,,,",
        "events.csv line 2: unknown event version 3; this planner reads version 1.")]
    [InlineData("events.csv", "v,seq,at,state,person,runtime,fleet,profile,reason,waitedSeconds,heldSeconds\n1,1,yesterday,queued,alice,,f,,,,",
        "events.csv line 2: at 'yesterday' is not an ISO 8601 time.")]
    [InlineData("events.csv", "v,seq,at,state,person,runtime,fleet,profile,reason,waitedSeconds,heldSeconds\n", "events.csv: no session events after the CSV header.")]
    public void Bad_event_files_are_refused_with_one_line_naming_the_line(string name, string content, string expected)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content);

        var error = Assert.Throws<PlannerInputException>(() => SdAgones.Planner.Planner.Plan(PlannerHandCalculationTests.Request(path, "1", "5m")));

        Assert.Equal(Path.Combine(dir, expected), error.Message);
    }

    // Positive control for the rows above: the same two well-formed lines replay (one session of 600 s, no wait).
    [Fact]
    public void The_well_formed_lines_of_those_rows_replay()
    {
        var path = Path.Combine(dir, "events.jsonl");
        File.WriteAllText(path, Bound + "\n" + Released + "\n");

        var outcome = Assert.Single(SdAgones.Planner.Planner.Plan(PlannerHandCalculationTests.Request(path, "1", "5m")).Outcomes);

        Assert.Equal(600, Math.Round(outcome.BoundGpuHours * 3600, 6));
        Assert.Equal(0, outcome.Waits.MaxSeconds);
    }

    [Theory]
    [InlineData("--buffer", "1,x", "--buffer: 'x' is not allowed (allowed: whole numbers ≥ 0, comma-separated (such as 0,1,3,5)).")]
    [InlineData("--buffer", "-1", "--buffer: '-1' is not allowed (allowed: whole numbers ≥ 0, comma-separated (such as 0,1,3,5)).")]
    [InlineData("--idle-timeout", "5m,0s", "--idle-timeout: '0s' is not allowed (allowed: durations > 0, comma-separated (such as 5m,10m,15m or 90s)).")]
    [InlineData("--idle-timeout", "-5m", "--idle-timeout: '-5m' is not allowed (allowed: durations > 0, comma-separated (such as 5m,10m,15m or 90s)).")]
    [InlineData("--warmup", "60s..20s", "--warmup: '60s..20s' is not a warm-up (allowed: a duration such as 30s, or MIN..MAX such as 20s..60s with MIN ≤ MAX).")]
    [InlineData("--warmup", "-30s", "--warmup: '-30s' is not a duration ≥ 0 (such as 30s, 5m, 1h30m).")]
    [InlineData("--target", "p95<60s", "--target: 'p95<60s' is not a target (allowed: p50|p95|max<=DURATION such as p95<=60s, or share<=PERCENT such as share<=5%).")]
    [InlineData("--target", "share<=150%", "--target: '150%' is not a percentage between 0% and 100%.")]
    public void Bad_option_values_name_the_option_and_what_is_allowed(string option, string value, string expected)
    {
        var error = Assert.Throws<PlannerInputException>(() => _ = option switch
        {
            "--buffer" => (object)PlanRequest.Whole(option, value, 0),
            "--idle-timeout" => PlanRequest.Positive(option, value),
            "--warmup" => PlanRequest.ParseWarmUp(value),
            _ => Target.Parse(value),
        });

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Good_option_values_are_read_as_written()
    {
        Assert.Equal([0, 1, 3, 5], PlanRequest.Whole("--buffer", "0,1,3,5", 0));
        Assert.Equal([TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(90)], PlanRequest.Positive("--idle-timeout", "5m,90s,1h30m"));
        Assert.Equal(new WarmUpPair(20, 60), WarmUpPair.Of(PlanRequest.ParseWarmUp("20s..60s")));
        Assert.Equal(("p95", 60.0), (Target.Parse("p95<=60s").Metric, Target.Parse("p95<=60s").Limit));
        Assert.Equal(0.05, Target.Parse("share<=5%").Limit, 9);
    }

    private readonly record struct WarmUpPair(double Min, double Max)
    {
        public static WarmUpPair Of(SdAgones.Planner.Simulation.WarmUp w) => new(w.Min.TotalSeconds, w.Max.TotalSeconds);
    }
}
