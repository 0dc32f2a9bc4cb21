using System.Diagnostics;
using System.Net;

namespace SdAgones.Bench;

/// <summary>
/// Long run at a steady rate with continuous allocate/reclaim churn: a window of active people moves through the
/// pool, people who leave it go idle and are reclaimed by the cruiser. Reports errors, leaked runtimes and memory.
/// </summary>
internal static class Soak
{
    public static async Task<object> RunAsync(BenchArgs args)
    {
        var gateway = args.Require("gateway");
        var agones = args.Require("agones");
        var minutes = args.Double("minutes", 30);
        var poolSize = args.Int("people", 500);
        var rate = args.Double("rate", 200);
        var active = args.Int("active", 8);
        var activeSeconds = args.Double("active-seconds", 20);
        var idleTimeout = args.Double("idle-timeout-s", 10);
        var gatewayPid = args.Int("gateway-pid", 0);
        var cruiserPid = args.Int("cruiser-pid", 0);
        using var redis = await Cache.ConnectAsync(args.Require("cache"));
        var db = redis.GetDatabase();
        using var http = Http.Client();

        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var ok = 0;
        var waiting = 0;
        var errors = 0;
        var window = new List<int>(Enumerable.Range(0, active));
        var next = active;
        var visited = new HashSet<int>(window);
        var startRss = (gateway: gatewayPid > 0 ? Proc.RssMiB(gatewayPid) : double.NaN, cruiser: cruiserPid > 0 ? Proc.RssMiB(cruiserPid) : double.NaN);
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(minutes * 60 * Stopwatch.Frequency);
        var rotateEvery = activeSeconds / active;
        var nextRotate = start + (long)(rotateEvery * Stopwatch.Frequency);
        var tasks = new List<Task>();
        long sent = 0;
        // "Flat memory after warm-up": RSS once the first sixth of the run (at most 5 minutes) is over, against the end.
        var warmedAt = start + (long)(Math.Min(minutes / 6, 5) * 60 * Stopwatch.Frequency);
        (double gateway, double cruiser)? warmRss = null;
        while (Stopwatch.GetTimestamp() < end)
        {
            var due = start + (long)(sent / rate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            if (Stopwatch.GetTimestamp() >= nextRotate)
            {
                window.RemoveAt(0); // the oldest goes idle; the cruiser reclaims their runtime
                window.Add(next % poolSize);
                visited.Add(next % poolSize);
                next++;
                nextRotate += (long)(rotateEvery * Stopwatch.Frequency);
            }

            if (warmRss is null && Stopwatch.GetTimestamp() >= warmedAt)
            {
                warmRss = (gatewayPid > 0 ? Proc.RssMiB(gatewayPid) : double.NaN, cruiserPid > 0 ? Proc.RssMiB(cruiserPid) : double.NaN);
            }

            var user = $"soak-{window[Random.Shared.Next(window.Count)]:000}";
            sent++;
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    using var response = await http.SendAsync(Http.Get(gateway + "/sdapi/v1/options", user));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref ok);
                    }
                    else if (response.StatusCode == HttpStatusCode.ServiceUnavailable && body.Contains("\"stage\"", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref waiting); // the waiting room while a runtime is allocated: expected, not an error
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                        statuses.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, n) => n + 1);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    statuses.AddOrUpdate(ex.GetType().Name, 1, (_, n) => n + 1);
                }
            }));
            if (tasks.Count > 2000)
            {
                tasks.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var endRss = (gateway: gatewayPid > 0 ? Proc.RssMiB(gatewayPid) : double.NaN, cruiser: cruiserPid > 0 ? Proc.RssMiB(cruiserPid) : double.NaN);

        // Everyone is idle now: after the timeout and a few passes, no runtime may stay allocated.
        await Task.Delay(TimeSpan.FromSeconds(idleTimeout + 10));
        var allocated = (await Agones.ListAsync(http, agones)).Where(s => s.State == "Allocated").ToList();
        var leaked = 0;
        foreach (var server in allocated)
        {
            var owner = server.User is { } u ? (string?)await db.HashGetAsync("sd:session:" + u, "runtime") : null;
            if (owner != server.Name)
            {
                leaked++;
            }
        }

        return new
        {
            minutes,
            people_in_pool = poolSize,
            people_served = visited.Count,
            target_rate = rate,
            achieved_rate = Math.Round(sent / elapsed, 1),
            requests = sent,
            ok,
            waiting_room_answers = waiting,
            errors,
            error_kinds = statuses,
            allocated_after_idle = allocated.Count,
            leaked_runtimes = leaked,
            gateway_rss_start_mib = startRss.gateway,
            gateway_rss_after_warmup_mib = warmRss?.gateway ?? double.NaN,
            cruiser_rss_after_warmup_mib = warmRss?.cruiser ?? double.NaN,
            gateway_rss_end_mib = endRss.gateway,
            cruiser_rss_start_mib = startRss.cruiser,
            cruiser_rss_end_mib = endRss.cruiser,
        };
    }
}
