using System.Diagnostics;
using System.Globalization;
using SdAgones.Cruiser;
using SdAgones.Cruiser.Idle;
using StackExchange.Redis;

namespace SdAgones.Bench;

/// <summary>
/// The cruiser's idle pass, in-process, against a cache seeded with 1k/10k/100k sessions: pass duration and cache
/// commands per pass with 1% expired, with a fixed 10 expired, and with none expired.
/// </summary>
internal static class ReclaimCost
{
    public static async Task<object> RunAsync(BenchArgs args)
    {
        var endpoint = args.Require("cache");
        var sizes = args.Require("sizes").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var deadTarget = args.Require("dead-target"); // a closed loopback port: the progress probe fails at once, "not busy"
        using var redis = await Cache.ConnectAsync(endpoint);
        var server = redis.GetServers()[0];
        var db = redis.GetDatabase();

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agones:ApiServer"] = args.Require("agones"),
            ["Idle:Timeout"] = "00:10:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<IConnectionMultiplexer>(redis);
        services.AddSingleton<IConfiguration>(configuration);
        CruiserExtensions.AddCruiserServices(services);
        await using var provider = services.BuildServiceProvider();
        var reaper = provider.GetRequiredService<IdleReaper>();

        // A warm-up pass first (JIT, first connections to the cache, LocalAgones and the closed port), not reported.
        await PassAsync(server, db, reaper, 1000, 50, deadTarget);
        var rows = new List<object>();
        foreach (var size in sizes)
        {
            var onePercent = await PassAsync(server, db, reaper, size, size / 100, deadTarget);
            var fixedTen = await PassAsync(server, db, reaper, size, 10, deadTarget);
            var none = await PassAsync(server, db, reaper, size, 0, deadTarget);
            rows.Add(new { sessions = size, one_percent = onePercent, fixed_10_expired = fixedTen, none_expired = none });
        }

        return new { cache = args.Get("label") ?? endpoint, rows };
    }

    private static async Task<object> PassAsync(IServer server, IDatabase db, IdleReaper reaper, int size, int expired, string deadTarget)
    {
        await server.FlushAllDatabasesAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        for (var from = 0; from < size; from += 5000)
        {
            var batch = db.CreateBatch();
            var pending = new List<Task>();
            for (var i = from; i < Math.Min(size, from + 5000); i++)
            {
                var user = $"u{i:000000}";
                pending.Add(batch.HashSetAsync("sd:session:" + user,
                [
                    new HashEntry("runtime", "gs-" + user), new HashEntry("target", deadTarget),
                    new HashEntry("allocatedAt", (long)(now * 1000)), new HashEntry("node", ""),
                ]));
                // Spread the expired ones through the index, not only at its start.
                var isExpired = expired > 0 && i % (size / expired) == 0 && i / (size / expired) < expired;
                pending.Add(batch.SortedSetAddAsync("sd:lastseen", user, isExpired ? now - 3600 : now));
            }

            batch.Execute();
            await Task.WhenAll(pending);
        }

        var commandsBefore = await Cache.CommandCountsAsync(server);
        var started = Stopwatch.GetTimestamp();
        var reclaimed = await reaper.RunPassAsync(CancellationToken.None);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var commands = Cache.Delta(commandsBefore, await Cache.CommandCountsAsync(server)).Values.Sum(); // INFO COMMANDSTATS: Garnet's total_commands_processed stays 0
        return new
        {
            expired,
            reclaimed,
            pass_ms = Math.Round(ms, 1),
            cache_commands = commands,
            ms_per_expired = expired > 0 ? Math.Round(ms / expired, 2) : double.NaN,
            commands_per_expired = expired > 0 ? Math.Round((double)commands / expired, 2) : double.NaN,
        };
    }
}
