using System.Diagnostics;
using System.Net;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Bench;

/// <summary>
/// A new person's first request to the first byte from their own runtime, against an already-allocated person. With
/// <c>--otlp-port</c> the gateway's traces come here and each first request is split into the gateway's own phases:
/// the allocation (cache round trips and the lock, the Agones allocation call) and the first forward to the runtime.
/// With <c>--release-after</c> nobody is released until everyone was measured, so on a fleet with a Ready runtime for
/// each person no runtime starts or stops while the figures are taken (<c>fleet_settled</c> says whether that held).
/// </summary>
internal static class TimeToRuntime
{
    public static async Task<object> RunAsync(BenchArgs args)
    {
        var gateway = args.Require("gateway");
        var agones = args.Require("agones");
        var people = args.Int("people", 200);
        var baselineUser = args.Require("baseline-user");
        var releaseAfter = args.Get("release-after") is not null;
        await using var otlp = args.Get("otlp-port") is { } port ? await OtlpReceiver.StartAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)) : null;
        using var http = Http.Client();

        if (!await Http.UntilServedAsync(http, gateway, baselineUser, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100)))
        {
            throw new InvalidOperationException("the baseline person never got a runtime");
        }

        var baseline = new List<double>();
        for (var i = 0; i < people; i++)
        {
            baseline.Add(await FirstByteAsync(http, gateway, baselineUser));
        }

        var fleetBefore = Names(await Agones.ListAsync(http, agones));
        var times = new List<double>();
        var waits = 0;
        var notReady = 0;
        var started = Stopwatch.GetTimestamp();
        var releases = new List<Task>();
        var users = new List<string>();
        for (var i = 0; i < people; i++)
        {
            // "With a Ready buffer": the next person arrives once a runtime is Ready (the refill is not part of the figure).
            if (await Agones.WaitReadyAsync(http, agones, 1, TimeSpan.FromSeconds(60)) == 0)
            {
                notReady++;
            }

            var user = $"bench-ttr-{i:000}";
            users.Add(user);
            var t0 = Stopwatch.GetTimestamp();
            while (true)
            {
                using var response = await http.SendAsync(Http.Get(gateway + "/sdapi/v1/options", user), HttpCompletionOption.ResponseHeadersRead);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }

                waits++;
                if (Stopwatch.GetElapsedTime(t0) > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"{user} got no runtime in 60 s");
                }

                await Task.Delay(10);
            }

            times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (!releaseAfter)
            {
                releases.Add(Http.ReleaseAsync(http, gateway, user)); // gives the runtime back while the next person arrives
            }
        }

        var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var fleetAfter = Names(await Agones.ListAsync(http, agones));
        var phases = otlp is null ? null : await PhasesAsync(otlp, users);
        releases.AddRange(releaseAfter ? users.Select(u => Http.ReleaseAsync(http, gateway, u)) : []);
        await Task.WhenAll(releases);

        return new
        {
            people,
            p50_ms = Stats.Percentile(times, 50),
            p99_ms = Stats.Percentile(times, 99),
            max_ms = Stats.Percentile(times, 100),
            baseline_p50_ms = Stats.Percentile(baseline, 50),
            baseline_p99_ms = Stats.Percentile(baseline, 99),
            waiting_room_answers = waits,
            arrivals_without_ready_runtime = notReady,
            fleet_settled = releaseAfter ? fleetBefore == fleetAfter : (bool?)null,
            wall_s = Math.Round(wall, 1),
            phases,
        };
    }

    private static string Names(IEnumerable<Server> servers) => string.Join(",", servers.Select(s => s.Name).Order(StringComparer.Ordinal));

    /// <summary>
    /// For each person, the trace of the request that allocated their runtime: the gateway's request span (total), its
    /// <c>allocate</c> span, the Agones call inside it, and the forward to the runtime (the HTTP client span that is not
    /// the Agones call). "cache and lock" is the allocate span less the Agones call; "before allocate" is the time from
    /// the request span's start to the allocate span's start (session look-up, the <c>Task.Run</c> hop).
    /// </summary>
    private static async Task<object> PhasesAsync(OtlpReceiver otlp, List<string> users)
    {
        var ids = users.ToDictionary(u => PersonLabel.For(u)[^12..], u => u, StringComparer.Ordinal);
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        List<IGrouping<string, ReceivedSpan>> traces;
        while (true)
        {
            traces = [.. otlp.Spans.Where(s => s.Name == "allocate" && s.Attributes.TryGetValue("sdagones.person", out var p) && ids.ContainsKey(p))
                .Select(s => s.TraceId).Distinct()
                .Select(t => otlp.Spans.Where(s => s.TraceId == t)).SelectMany(s => s).GroupBy(s => s.TraceId)];
            if (traces.Count >= users.Count || Stopwatch.GetTimestamp() > until)
            {
                break;
            }

            await Task.Delay(200);
        }

        var total = new List<double>();
        var before = new List<double>();
        var allocate = new List<double>();
        var agones = new List<double>();
        var cache = new List<double>();
        var forward = new List<double>();
        foreach (var trace in traces)
        {
            var spans = trace.ToList();
            var allocation = spans.First(s => s.Name == "allocate");
            var request = spans.FirstOrDefault(s => s.SpanId == allocation.ParentSpanId);
            var clients = spans.Where(s => s.Attributes.ContainsKey("url.full")).ToList();
            var agonesCalls = clients.Where(s => s.Attributes["url.full"].Contains("gameserverallocations", StringComparison.Ordinal)).ToList();
            var forwards = clients.Except(agonesCalls).Where(s => s.ParentSpanId == allocation.ParentSpanId).ToList();
            if (request is null || forwards.Count == 0)
            {
                continue; // the allocating request was answered by the waiting room; its runtime came in a later trace
            }

            total.Add(request.DurationMs);
            before.Add((allocation.StartUnixNano - request.StartUnixNano) / 1e6);
            allocate.Add(allocation.DurationMs);
            agones.Add(agonesCalls.Sum(s => s.DurationMs));
            cache.Add(allocation.DurationMs - agonesCalls.Sum(s => s.DurationMs));
            forward.Add(forwards.Sum(s => s.DurationMs));
        }

        object P(List<double> v) => new { p50_ms = Stats.Percentile(v, 50), p90_ms = Stats.Percentile(v, 90), p99_ms = Stats.Percentile(v, 99) };
        return new
        {
            traced = total.Count,
            gateway_total = P(total),
            before_allocate = P(before),
            allocate = P(allocate),
            allocate_cache_and_lock = P(cache),
            allocate_agones = P(agones),
            first_forward = P(forward),
        };
    }

    private static async Task<double> FirstByteAsync(HttpClient http, string gateway, string user)
    {
        var t0 = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(Http.Get(gateway + "/sdapi/v1/options", user), HttpCompletionOption.ResponseHeadersRead);
        return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }
}
