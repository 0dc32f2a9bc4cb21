using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using SdAgones.Runtimes.Usage;
using StackExchange.Redis;

namespace SdAgones.Bench;

/// <summary>
/// Many new people within one second across two gateway instances against a fixed number of Ready runtimes:
/// allocations made, duplicates (runtimes per person &gt; 1), and whether freed runtimes go to the head of the queue.
/// With <c>--fair-share</c> (the gateways run with <c>Usage:FairShare=true</c>) every second person has an hour of GPU
/// time today, so the line is in fair-share order. With <c>--cost-probes K</c> the waiting stop asking and the cache
/// commands (the server's <c>INFO COMMANDSTATS</c>) of K single polls from the back of the line and of K allocations
/// (a runtime freed, the head of the line asks) are counted one request at a time: counts, not timing.
/// </summary>
internal static class AllocationStorm
{
    /// <summary>The default profile's waiting line (each profile has its own; the storm's people ask for none).</summary>
    private static readonly string DefaultLine = SdAgones.Runtimes.Sessions.QueueKeys.For(SdAgones.Contracts.Profiles.ProfileCatalog.DefaultSlug).Queue;

    public static async Task<object> RunAsync(BenchArgs args)
    {
        var gateways = args.Require("gateways").Split(',');
        var agones = args.Require("agones");
        var people = args.Int("people", 1000);
        var runtimes = args.Int("runtimes", 100);
        var release = args.Int("release", 5);
        var fairShare = args.Get("fair-share") == "true";
        var costProbes = args.Int("cost-probes", 0);
        using var redis = await Cache.ConnectAsync(args.Require("cache"));
        var db = redis.GetDatabase();
        var cache = redis.GetServers().Single();
        if (fairShare)
        {
            var today = UsageCalendar.Name(UsageCalendar.DayOf(DateTimeOffset.UtcNow)) + "|storm";
            for (var i = 0; i < people; i += 2)
            {
                await db.HashSetAsync(UsageLedger.PersonKey($"storm-{i:0000}"), today, 3_600);
            }
        }
        using var http = Http.Client(60);

        var served = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        var errors = 0;
        var waitingAnswers = 0;
        var paused = false;
        var inFlight = 0;
        using var stop = new CancellationTokenSource();
        var commandsAtStart = costProbes > 0 ? await Cache.CommandCountsAsync(cache) : null;
        var start = Stopwatch.GetTimestamp();

        async Task PersonAsync(int i)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(i * 1000.0 / people));
            var user = $"storm-{i:0000}";
            var gateway = gateways[i % gateways.Length];
            while (!stop.IsCancellationRequested)
            {
                if (Volatile.Read(ref paused))
                {
                    try
                    {
                        await Task.Delay(200, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    continue;
                }

                Interlocked.Increment(ref inFlight);
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
                finally
                {
                    Interlocked.Decrement(ref inFlight);
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
        var stormCommands = commandsAtStart is null ? null : Cache.Delta(commandsAtStart, await Cache.CommandCountsAsync(cache));
        await Task.Delay(2000); // let any stray extra allocation show up
        var servers = await Agones.ListAsync(http, agones);
        var allocated = servers.Where(s => s.State == "Allocated").ToList();
        var duplicates = allocated.GroupBy(s => s.User ?? "").Where(g => g.Count() > 1).Sum(g => g.Count() - 1);
        var servedAfterStorm = served.Count;

        // Queue order: give back a few runtimes; the people at the head of the queue must be the ones served next.
        var queue = (await db.SortedSetRangeByRankAsync(DefaultLine, 0, -1)).Select(v => (string)v!).ToList();
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
        object? cost = null;
        if (costProbes > 0)
        {
            Volatile.Write(ref paused, true);
            while (Volatile.Read(ref inFlight) > 0)
            {
                await Task.Delay(20);
            }

            cost = await CostAsync(http, db, cache, gateways, agones, served.Keys.Except(before.Take(release)).ToList(), costProbes);
        }

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
            fair_share = fairShare,
            storm_cache_commands = stormCommands?.Values.Sum(),
            storm_cache_commands_per_allocation = stormCommands is null || allocated.Count == 0 ? (double?)null : Math.Round(stormCommands.Values.Sum() / (double)allocated.Count, 1),
            cost,
        };
    }

    private static string Gateway(string[] gateways, string user) =>
        gateways[int.Parse(user["storm-".Length..], System.Globalization.CultureInfo.InvariantCulture) % gateways.Length];

    /// <summary>
    /// Cache commands of single requests while nobody else asks: K polls by the last in line (each a 503), the release of
    /// K runtimes, then K allocations (the head of the line asks until its runtime answers; only the answering request counts).
    /// </summary>
    private static async Task<object> CostAsync(
        HttpClient http, IDatabase db, IServer cache, string[] gateways, string agones, IReadOnlyList<string> holding, int probes)
    {
        await Task.Delay(1500); // fire-and-forget activity writes of the last answers land first
        var quietFrom = await Cache.CommandCountsAsync(cache);
        await Task.Delay(1000);
        var quiet = Cache.Delta(quietFrom, await Cache.CommandCountsAsync(cache)).Values.Sum();
        var waiting = await db.SortedSetLengthAsync(DefaultLine);

        async Task<(HttpStatusCode Status, SortedDictionary<string, long> Spent)> AskAsync(string user)
        {
            var from = await Cache.CommandCountsAsync(cache);
            using var response = await http.SendAsync(Http.Get(Gateway(gateways, user) + "/sdapi/v1/options", user));
            var spent = Cache.Delta(from, await Cache.CommandCountsAsync(cache));
            return (response.StatusCode, spent);
        }

        var polls = new List<SortedDictionary<string, long>>();
        foreach (var user in (await db.SortedSetRangeByRankAsync(DefaultLine, -probes, -1)).Select(v => (string)v!))
        {
            var (status, spent) = await AskAsync(user);
            if (status == HttpStatusCode.ServiceUnavailable)
            {
                polls.Add(spent);
            }
        }

        var releaseFrom = await Cache.CommandCountsAsync(cache);
        foreach (var user in holding.Take(probes))
        {
            await Http.ReleaseAsync(http, Gateway(gateways, user), user);
        }

        var releases = Cache.Delta(releaseFrom, await Cache.CommandCountsAsync(cache));
        await Agones.WaitReadyAsync(http, agones, probes, TimeSpan.FromMinutes(3));
        var allocations = new List<SortedDictionary<string, long>>();
        var notYet = 0;
        for (var i = 0; i < probes; i++)
        {
            var head = (string)(await db.SortedSetRangeByRankAsync(DefaultLine, 0, 0)).Single()!;
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var (status, spent) = await AskAsync(head);
                if (status == HttpStatusCode.OK)
                {
                    allocations.Add(spent);
                    break;
                }

                notYet++; // the gateway's informer has not seen the Ready runtime yet
                await Task.Delay(100);
            }
        }

        static object Summary(List<SortedDictionary<string, long>> counts) => new
        {
            requests = counts.Count,
            commands_each = counts.Select(c => c.Values.Sum()).ToList(),
            commands_mean = counts.Count == 0 ? double.NaN : Math.Round(counts.Average(c => c.Values.Sum()), 2),
            by_command = counts.SelectMany(c => c).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => Math.Round(g.Sum(p => p.Value) / (double)counts.Count, 2)),
        };

        return new
        {
            waiting_people = waiting,
            quiet_commands_per_s = quiet,
            poll = Summary(polls),
            allocation = Summary(allocations),
            allocation_attempts_before_the_gateway_saw_the_runtime = notYet,
            release_commands_each = probes == 0 ? 0 : Math.Round(releases.Values.Sum() / (double)probes, 2),
        };
    }
}
