using System.Diagnostics;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Planner;

/// <summary>The planner as an operator runs it: <c>dotnet SdAgones.Planner.dll …</c> on a file the admin export wrote.</summary>
public sealed class PlannerCommandTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("planner-cmd-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task Running_the_command_on_an_exported_events_file_writes_the_table_the_recommendation_and_the_HTML_report(string format)
    {
        var events = HandMadeLog.Export(dir, format);
        var html = Path.Combine(dir, "report.html");

        var (exit, stdout, stderr) = await RunAsync("--events", events, "--buffer", "0,1", "--idle-timeout", "5m,15m", "--warmup", "30s", "--html", html);

        Assert.True(exit == 0, $"exit {exit}: {stderr}");
        Assert.Equal("", stderr);
        // The hand-worked figures (PlannerHandCalculationTests): Buffer 1, 5 min → 2530 s bound = 0.70 GPU-h, 1900 s unused = 0.53.
        Assert.Matches(@"│ buffer │\s+1 │\s+5m │\s+0\.70 │\s+0\.53 │\s+1\.23 │\s+0 s │\s+40 s │\s+40 s │\s+0\.0% │ recommended pareto", stdout);
        Assert.Matches(@"│ buffer │\s+0 │\s+5m │\s+0\.00 │\s+0\.00 │\s+0\.00 │\s+never │\s+never │\s+never │\s+100\.0% │ misses target", stdout);
        Assert.Contains("Recommendation for p95<=60s: buffer 1, idle 5m — 1.2 GPU-hours (0.7 bound, 0.5 Ready but unused), p95 wait 40 s.", stdout, StringComparison.Ordinal);
        Assert.Contains("The log itself: 4 sessions bound, 1.04 bound GPU-hours", stdout, StringComparison.Ordinal);
        Assert.Contains("\nWaiting order: fifo.\n", stdout, StringComparison.Ordinal);
        var page = await File.ReadAllTextAsync(html);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(page, "<svg"));
        Assert.Contains("<figure id=\"pareto\">", page, StringComparison.Ordinal);
        Assert.Contains("seed 1, waiting order fifo.</p>", page, StringComparison.Ordinal);
        Assert.Contains("<figure id=\"day\">", page, StringComparison.Ordinal);
    }

    // Two processes, one seed: the same table to the digit (warm-up draws and synthetic arrivals come from the seed
    // alone); a different seed changes it (control).
    [Fact]
    public async Task The_same_seed_gives_the_same_table_in_another_process()
    {
        string[] args = ["--synthetic", "--people", "60", "--days", "2", "--buffer", "1,2", "--idle-timeout", "5m,15m", "--warmup", "20s..90s"];

        var first = await RunAsync([.. args, "--seed", "5"]);
        var second = await RunAsync([.. args, "--seed", "5"]);
        var other = await RunAsync([.. args, "--seed", "6"]);

        Assert.Equal((0, 0, 0), (first.Exit, second.Exit, other.Exit));
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.NotEqual(first.Stdout, other.Stdout);
    }

    [Fact]
    public async Task Bad_input_ends_with_one_line_naming_the_line_and_exit_1()
    {
        var events = Path.Combine(dir, "events.jsonl");
        await File.WriteAllTextAsync(events, """{"v":9,"seq":1,"at":"2026-11-23T09:00:00+00:00","state":"queued","person":"alice","fleet":"f","profile":""}""" + "\n");

        var (exit, stdout, stderr) = await RunAsync("--events", events);

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"planner: {events} line 1: unknown event version 9; this planner reads version 1.\n", stderr);
    }

    [Theory]
    [InlineData("--buffer", "two", "planner: --buffer: 'two' is not allowed (allowed: whole numbers ≥ 0, comma-separated (such as 0,1,3,5)).\n")]
    [InlineData("--speed", "3", "planner: Unrecognized command or argument '--speed'.\n")]
    [InlineData("--order", "fair", "planner: --order: 'fair' is not allowed (allowed: fifo, fair-share).\n")]
    [InlineData("--half-life", "3d", "planner: --half-life: only with --order fair-share (the FIFO line has no usage).\n")]
    public async Task A_bad_option_ends_with_one_line_naming_it_and_exit_1(string option, string value, string expected)
    {
        var (exit, _, stderr) = await RunAsync("--synthetic", "--people", "5", "--days", "1", option, value);

        Assert.Equal(1, exit);
        Assert.StartsWith(expected.TrimEnd('\n'), stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    // --order fair-share without its settings takes the product's Usage defaults (UsageOptions) and says so in the
    // header; a setting given replaces its default, and a bad one is refused like every other option.
    [Fact]
    public async Task The_fair_share_order_and_its_settings_are_in_the_header_and_checked()
    {
        var events = HandMadeLog.Export(dir, "jsonl");

        var defaults = await RunAsync("--events", events, "--order", "fair-share");
        var chosen = await RunAsync("--events", events, "--order", "fair-share", "--half-life", "2d", "--max-wait-behind-later", "10m", "--usage-scale", "90m");
        var bad = await RunAsync("--events", events, "--order", "fair-share", "--max-wait-behind-later", "0s");

        Assert.Equal((0, 0, 1), (defaults.Exit, chosen.Exit, bad.Exit));
        Assert.Contains("\nWaiting order: fair-share (half-life 7d, max wait behind later 30m, usage scale 1h).\n", defaults.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nWaiting order: fair-share (half-life 2d, max wait behind later 10m, usage scale 90m).\n", chosen.Stdout, StringComparison.Ordinal);
        Assert.Equal("planner: --max-wait-behind-later: '0s' is not a duration > 0 (such as 30s, 5m, 1h30m).\n", bad.Stderr);
    }

    internal static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var dll = RepoPaths.ServiceAssembly("SdAgones.Planner").Replace(
            Path.Combine(RepoPaths.Root, "src"), Path.Combine(RepoPaths.Root, "tools"), StringComparison.Ordinal);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
