using System.Diagnostics;

namespace SdAgones.Bench;

/// <summary>
/// Issue 20's replay: simulated days of synthetic arrivals (a quiet night, a morning peak) played against the gateway,
/// time-compressed (one simulated hour in <c>--hour-s</c> real seconds). Learning days come first on one continuous
/// clock, so the measured day starts exactly one simulated day after the last learning one; only the measured day is
/// counted: each arrival's wait (arrival → first 200 from the person's runtime) and the GPU-hours of runtimes that were
/// Ready but allocated to no one (sampled from the Kubernetes API), in simulated hours.
/// </summary>
internal static class WarmReplay
{
    /// <summary>Expected arrivals per simulated hour, 00:00 to 23:00: a quiet night, a morning peak, a calmer day.</summary>
    private static readonly double[] PerHour =
        [0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.8, 3, 9, 10, 6, 3, 3, 2.5, 2.5, 2.5, 2, 2, 1.5, 1, 1, 0.8, 0.5, 0.4];

    /// <summary>One visit: when in the day (simulated hours), for how long the person keeps the runtime (simulated hours).</summary>
    internal sealed record Visit(int Day, double At, double Stay, string Person);

    public static async Task<object> RunAsync(BenchArgs args)
    {
        var gateway = args.Require("gateway");
        var agones = args.Require("agones");
        var hour = args.Double("hour-s", 10);
        var learnDays = args.Int("learn-days", 0);
        var seed = args.Int("seed", 20);
        var rate = args.Double("rate", 1);
        var label = args.Get("label") ?? "run";

        var visits = Enumerable.Range(1, learnDays + 1).SelectMany(d => Day(d, seed, rate)).ToList();
        var measuredDay = learnDays + 1;
        using var http = Http.Client(timeoutSeconds: 15);
        var start = Stopwatch.GetTimestamp();
        double Now() => Stopwatch.GetElapsedTime(start).TotalSeconds;

        using var stop = new CancellationTokenSource();
        var dayStart = learnDays * 24 * hour;
        var dayEnd = dayStart + 24 * hour;
        var sampler = SampleAsync(http, agones, Now, dayStart, dayEnd, stop.Token);
        var results = await Task.WhenAll(visits.Select(v => PlayAsync(http, gateway, v, hour, Now)));
        await stop.CancelAsync();
        var fleet = await sampler;

        var measured = results.Where(r => r.Visit.Day == measuredDay).ToList();
        // A person who gave up counts with the time they waited before giving up: a lower bound, so a policy that makes
        // people give up is not flattered by leaving them out.
        var waits = measured.Select(r => r.Wait ?? r.GaveUpAfter).ToList();
        return new
        {
            label,
            hour_s = hour,
            learn_days = learnDays,
            arrivals = measured.Count,
            served = measured.Count(r => r.Wait is not null),
            not_served = measured.Count(r => r.Wait is null),
            wait_p50_s = Stats.Percentile(waits, 50),
            wait_p95_s = Stats.Percentile(waits, 95),
            wait_max_s = Stats.Percentile(waits, 100),
            wait_p50_sim_min = Math.Round(Stats.Percentile(waits, 50) / hour * 60, 1),
            wait_p95_sim_min = Math.Round(Stats.Percentile(waits, 95) / hour * 60, 1),
            idle_ready_gpu_hours = Math.Round(fleet.ReadySeconds / hour, 2),
            warming_gpu_hours = Math.Round(fleet.WarmingSeconds / hour, 2),
            allocated_gpu_hours = Math.Round(fleet.AllocatedSeconds / hour, 2),
            peak_ready = fleet.PeakReady,
            peak_gameservers = fleet.PeakTotal,
            samples = fleet.Samples,
            learning_arrivals = results.Length - measured.Count,
        };
    }

    /// <summary>One simulated day of visits: arrivals per hour drawn from a Poisson law around <see cref="PerHour"/>.</summary>
    internal static List<Visit> Day(int day, int seed, double rate)
    {
        var random = new Random(seed * 1000 + day);
        var visits = new List<Visit>();
        for (var h = 0; h < 24; h++)
        {
            var count = Poisson(random, PerHour[h] * rate);
            for (var i = 0; i < count; i++)
            {
                var at = (day - 1) * 24 + h + random.NextDouble();
                var stay = 0.5 + random.NextDouble(); // 30 to 90 simulated minutes
                visits.Add(new Visit(day, at, stay, $"warm-d{day}-h{h:00}-{i}"));
            }
        }

        return visits;
    }

    private static int Poisson(Random random, double mean)
    {
        // Knuth's method: fine for the small means here.
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= random.NextDouble();
        }

        return k;
    }

    private sealed record Played(Visit Visit, double? Wait, double GaveUpAfter);

    /// <summary>Arrives on time, asks until served (the waiting room answers 503), uses the runtime, gives it back.</summary>
    private static async Task<Played> PlayAsync(HttpClient http, string gateway, Visit visit, double hour, Func<double> now)
    {
        var arrive = visit.At * hour;
        if (arrive > now())
        {
            await Task.Delay(TimeSpan.FromSeconds(arrive - now()));
        }

        // Asks every 100 ms until the person's runtime answers 200 (the waiting room answers 503); a refused or timed-out
        // request is asked again, not counted as a give-up. Gives up after max(120 s, 6 simulated hours).
        var giveUp = arrive + Math.Max(120, 6 * hour);
        var served = false;
        while (!served && now() < giveUp)
        {
            try
            {
                using var response = await http.SendAsync(Http.Get(gateway + "/sdapi/v1/options", visit.Person));
                served = response.StatusCode == System.Net.HttpStatusCode.OK;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (!served)
            {
                await Task.Delay(100);
            }
        }

        double? wait = served ? now() - arrive : null;
        if (served)
        {
            var leave = arrive + wait!.Value + visit.Stay * hour;
            while (now() < leave)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(2, Math.Max(0.05, leave - now()))));
                try
                {
                    using var _ = await http.SendAsync(Http.Get(gateway + "/sdapi/v1/options", visit.Person));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }
            }

            try
            {
                await Http.ReleaseAsync(http, gateway, visit.Person);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // the cruiser's idle reclaim gives it back later
            }
        }

        return new Played(visit, wait, now() - arrive);
    }

    private sealed record FleetTime(double ReadySeconds, double WarmingSeconds, double AllocatedSeconds, int PeakReady, int PeakTotal, int Samples);

    /// <summary>Integrates Ready, starting and Allocated GameServers over the measured day, from lists of the API every half second.</summary>
    private static async Task<FleetTime> SampleAsync(HttpClient http, string agones, Func<double> now, double from, double to, CancellationToken ct)
    {
        double ready = 0, warming = 0, allocated = 0;
        int peakReady = 0, peakTotal = 0, samples = 0;
        var last = now();
        (int Ready, int Warming, int Allocated) previous = (0, 0, 0);
        while (!ct.IsCancellationRequested && last < to)
        {
            try
            {
                await Task.Delay(500, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            List<Server> servers;
            try
            {
                servers = await Agones.ListAsync(http, agones);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                continue;
            }

            var t = Math.Min(now(), to);
            var counted = Math.Max(0, t - Math.Max(last, from));
            ready += previous.Ready * counted;
            warming += previous.Warming * counted;
            allocated += previous.Allocated * counted;
            last = t;
            previous = (
                servers.Count(s => s.State == "Ready"),
                servers.Count(s => s.State is "Creating" or "Starting" or "Scheduled" or "RequestReady" or "PortAllocation"),
                servers.Count(s => s.State is "Allocated" or "Reserved"));
            if (t >= from)
            {
                samples++;
                peakReady = Math.Max(peakReady, previous.Ready);
                peakTotal = Math.Max(peakTotal, previous.Ready + previous.Warming + previous.Allocated);
            }
        }

        return new FleetTime(ready, warming, allocated, peakReady, peakTotal, samples);
    }
}
