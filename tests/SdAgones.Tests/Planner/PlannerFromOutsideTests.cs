using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SdAgones.Tests.Faults;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Planner;

/// <summary>
/// Issue 21 from outside: a short run of the local platform (real gateway and cruiser processes, embedded Garnet,
/// LocalAgones with runtimes), its session events exported over HTTP by the admin, and the planner run over the file
/// as an operator runs it, writing the table and the HTML report with both plots.
/// </summary>
public sealed class PlannerFromOutsideTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);
    private readonly string dir = Directory.CreateTempSubdirectory("planner-outside-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task The_events_of_a_local_run_exported_over_HTTP_give_the_planners_table_and_its_HTML_report_with_both_plots()
    {
        await using var world = await FaultWorld.StartAsync(buffer: 2, max: 3);
        (string, string)[] idle = [("Idle:Timeout", Timeout.ToString("c")), ("Idle:TouchInterval", "00:00:00")];
        var gateway = await world.StartGatewayAsync(idle);
        await world.StartCruiserAsync(idle);

        // Alice works and goes silent (the cruiser reclaims her runtime); Bob gives his back himself.
        using var alice = FaultWorld.Client(gateway, "alice");
        using var bob = FaultWorld.Client(gateway, "bob");
        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");
        await RuntimeProbe.WaitForRuntimeAsync(bob, "bob's runtime");
        Assert.Equal(HttpStatusCode.OK, (await bob.PostAsync("/_sd/api/session/release", null)).StatusCode);
        await Eventually.HoldsAsync(async () => (await world.AllocatedAsync()).Count == 0,
            6 * Timeout, "alice's runtime to be reclaimed and bob's to be gone", TimeSpan.FromMilliseconds(200));

        // The administrator's export, both formats, as files.
        using var admin = FaultWorld.Client(gateway, "admin");
        var jsonl = Path.Combine(dir, "events.jsonl");
        var csv = Path.Combine(dir, "events.csv");
        await File.WriteAllTextAsync(jsonl, await admin.GetStringAsync("/_sd/api/admin/events?format=jsonl"));
        await File.WriteAllTextAsync(csv, await admin.GetStringAsync("/_sd/api/admin/events?format=csv"));
        var releases = (await File.ReadAllLinesAsync(jsonl)).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("state").GetString() == "released")
            .ToDictionary(e => e.GetProperty("person").GetString()!, e => e.GetProperty("reason").GetString());
        Assert.Equal(["alice", "bob"], releases.Keys.Order());
        Assert.Equal("gave_back", releases["bob"]);
        // Alice's reason is the cruiser's business (ActivityTests checks "idle" with its notice); under heavy load it was
        // seen as runtime_gone here, which the planner replays too (the activity then ends at the release).

        foreach (var events in new[] { jsonl, csv })
        {
            var html = Path.ChangeExtension(events, ".html");
            var (exit, stdout, stderr) = await PlannerCommandTests.RunAsync("--events", events, "--buffer", "1,2", "--idle-timeout", "4s,1m",
                "--recorded-idle-timeout", "4s", "--check-interval", "500ms", "--warmup", "5s", "--max-runtimes", "3", "--html", html);

            Assert.True(exit == 0, $"exit {exit} on {events}: {stderr}");
            Assert.Equal("", stderr);
            Assert.Contains("Replayed 2 visits in 1 pool(s)", stdout, StringComparison.Ordinal);
            Assert.Contains("The log itself: 2 sessions bound", stdout, StringComparison.Ordinal);
            foreach (var (buffer, timeout) in new[] { (1, "4s"), (2, "4s"), (1, "1m"), (2, "1m") })
            {
                Assert.Matches($@"│ buffer │\s+{buffer} │\s+{timeout} │", stdout);
            }

            Assert.Matches(@"Recommendation for p95<=60s: buffer \d, idle (4s|1m) — ", stdout);

            var page = await File.ReadAllTextAsync(html);
            Assert.Equal(2, Regex.Count(page, "<svg"));
            Assert.Contains("<figure id=\"pareto\">", page, StringComparison.Ordinal);
            Assert.Contains("<figure id=\"day\">", page, StringComparison.Ordinal);
            Assert.Equal(4, Regex.Count(page, @"<tr(?: class=""[^""]*"")?><td>buffer</td>"));
        }
    }
}
