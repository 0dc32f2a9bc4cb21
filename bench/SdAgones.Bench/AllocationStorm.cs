using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace SdAgones.Bench;

/// <summary>
/// Many new people within one second across two gateway instances against a fixed number of Ready runtimes:
/// allocations made, duplicates (runtimes per person &gt; 1), and whether freed runtimes go to the head of the queue.
/// </summary>
internal static class AllocationStorm
{
    public static async Task<object> RunAsync(BenchArgs args)
    {
        var gateways = args.Require("gateways").Split(',');
        var agones = args.Require("agones");
        var people = args.Int("people", 1000);
        var runtimes = args.Int("runtimes", 100);
        var release = args.Int("release", 5);
        using var redis = await Cache.ConnectAsync(args.Require("cache"));
        var db = redis.GetDatabase();
        using var http = Http.Client(60);

        var served = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        var errors = 0;
        var waitingAnswers = 0;
        using var stop = new CancellationTokenSource();
        var start = Stopwatch.GetTimestamp();

        async Task PersonAsync(int i)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(i * 1000.0 / people));
            var user = $"storm-{i:0000}";
            var gateway = gateways[i % gateways.Length];
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.SendAsync(Http.Get(gateway + "/sdapi/v1/options", user));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        served.TryAdd(user, Stopwatch.GetElapsedTime(start).TotalSeconds);
                        return;
                    }

                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref waitingAnswers);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }

                try
                {
                    await Task.Delay(1000, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        var all = Enumerable.Range(0, people).Select(PersonAsync).ToList();
        var deadline = Stopwatch.GetTimestamp() + 120 * Stopwatch.Frequency;
        while (served.Count < runtimes && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }

        var allServedS = served.Count >= runtimes ? served.Values.Max() : double.NaN;
        await Task.Delay(2000); // let any stray extra allocation show up
        var servers = await Agones.ListAsync(http, agones);
        var allocated = servers.Where(s => s.State == "Allocated").ToList();
        var duplicates = allocated.GroupBy(s => s.User ?? "").Where(g => g.Count() > 1).Sum(g => g.Count() - 1);
        var servedAfterStorm = served.Count;

        // Queue order: give back a few runtimes; the people at the head of the queue must be the ones served next.
        var queue = (await db.SortedSetRangeByRankAsync("sd:queue", 0, -1)).Select(v => (string)v!).ToList();
        var expected = queue.Take(release).ToHashSet(StringComparer.Ordinal);
        var before = served.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (var user in before.Take(release))
        {
            var gateway = gateways[int.Parse(user["storm-".Length..], System.Globalization.CultureInfo.InvariantCulture) % gateways.Length];
            await Http.ReleaseAsync(http, gateway, user);
        }

        deadline = Stopwatch.GetTimestamp() + 90 * Stopwatch.Frequency;
        while (served.Count < servedAfterStorm + release && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(50);
        }

        var next = served.Keys.Where(u => !before.Contains(u)).ToHashSet(StringComparer.Ordinal);
        await stop.CancelAsync();
        await Task.WhenAll(all);

        return new
        {
            people,
            gateways = gateways.Length,
            ready_runtimes = runtimes,
            allocations = allocated.Count,
            served = servedAfterStorm,
            duplicates,
            all_served_s = Math.Round(allServedS, 2),
            queue_length = queue.Count,
            queue_order_kept = expected.Count == release && next.SetEquals(expected),
            queue_head = queue.Take(release).ToList(),
            served_after_release = next.ToList(),
            waiting_room_answers = waitingAnswers,
            errors,
        };
    }
}
