using System.Diagnostics;
using System.Net;
using StackExchange.Redis;

namespace SdAgones.Bench;

/// <summary>Open-loop load at a fixed rate: latency counts from the scheduled send time, so a slow answer is not hidden.</summary>
internal static class RateLoad
{
    public static async Task<object> RunAsync(BenchArgs args)
    {
        var url = args.Require("url");
        var rate = args.Double("rate", 500);
        var seconds = args.Double("seconds", 10);
        var user = args.Get("user");
        var pool = args.Int("users", 0);
        using var http = Http.Client();

        // Warm the connections first.
        for (var i = 0; i < 50; i++)
        {
            using var _ = await http.SendAsync(Http.Get(url, user ?? (pool > 0 ? $"bench-u{i % pool:0000}" : null)));
        }

        var total = (int)(rate * seconds);
        var latencies = new double[total];
        var errors = 0;
        var tasks = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = start + (long)(i / rate * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < due)
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.FromMilliseconds(2))
                {
                    await Task.Delay(wait - TimeSpan.FromMilliseconds(1));
                }
                else
                {
                    Thread.SpinWait(50);
                }
            }

            var index = i;
            var who = user ?? (pool > 0 ? $"bench-u{index % pool:0000}" : null);
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await http.SendAsync(Http.Get(url, who));
                    await response.Content.LoadIntoBufferAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref errors);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }

                latencies[index] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            }));
        }

        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new
        {
            url,
            rate,
            achieved = Math.Round(total / elapsed, 1),
            requests = total,
            errors,
            p50_ms = Stats.Percentile(latencies, 50),
            p99_ms = Stats.Percentile(latencies, 99),
        };
    }
}

/// <summary>Sets up the hot path for many people: copies one real session to a pool of people, all on that runtime.</summary>
internal static class Forwarding
{
    public static async Task<object> SeedPeopleAsync(BenchArgs args)
    {
        using var redis = await Cache.ConnectAsync(args.Require("cache"));
        var db = redis.GetDatabase();
        var from = args.Require("from");
        var count = args.Int("users", 1000);
        var fields = await db.HashGetAllAsync("sd:session:" + from);
        if (fields.Length == 0)
        {
            throw new InvalidOperationException($"{from} has no session to copy");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var batch = db.CreateBatch();
        var pending = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var user = $"bench-u{i:0000}";
            pending.Add(batch.HashSetAsync("sd:session:" + user, fields));
            pending.Add(batch.SortedSetAddAsync("sd:lastseen", user, now));
        }

        batch.Execute();
        await Task.WhenAll(pending);
        return new { seeded = count, runtime = (string?)fields.FirstOrDefault(f => f.Name == "runtime").Value, target = (string?)fields.FirstOrDefault(f => f.Name == "target").Value };
    }
}
