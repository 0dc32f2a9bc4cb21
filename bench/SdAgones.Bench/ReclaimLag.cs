using System.Diagnostics;

namespace SdAgones.Bench;

/// <summary>Time from a session's idle deadline (last activity as the cache holds it + timeout) until the cruiser removed it.</summary>
internal static class ReclaimLag
{
    public static async Task<object> RunAsync(BenchArgs args)
    {
        var gateway = args.Require("gateway");
        var timeout = args.Double("idle-timeout-s", 10);
        var people = args.Int("people", 5);
        using var redis = await Cache.ConnectAsync(args.Require("cache"));
        var db = redis.GetDatabase();
        using var http = Http.Client();

        var users = Enumerable.Range(0, people).Select(i => $"bench-lag-{i}").ToList();
        foreach (var user in users)
        {
            if (!await Http.UntilServedAsync(http, gateway, user, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100)))
            {
                throw new InvalidOperationException($"{user} got no runtime");
            }
        }

        var lags = await Task.WhenAll(users.Select(async user =>
        {
            double? lastSeen = null;
            var until = Stopwatch.GetTimestamp() + (long)((timeout + 60) * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until)
            {
                var score = await db.SortedSetScoreAsync("sd:lastseen", user);
                var exists = await db.KeyExistsAsync("sd:session:" + user);
                if (!exists)
                {
                    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
                    return lastSeen is { } seen ? now - (seen + timeout) : double.NaN;
                }

                lastSeen = score ?? lastSeen;
                await Task.Delay(50);
            }

            return double.NaN;
        }));

        return new
        {
            people,
            idle_timeout_s = timeout,
            lag_p50_s = Stats.Percentile(lags, 50),
            lag_max_s = Stats.Percentile(lags, 100),
            not_reclaimed = lags.Count(double.IsNaN),
        };
    }
}
