using System.Diagnostics;
using System.Net;

namespace SdAgones.Bench;

/// <summary>A new person's first request to the first byte from their own runtime, against an already-allocated person.</summary>
internal static class TimeToRuntime
{
    public static async Task<object> RunAsync(BenchArgs args)
    {
        var gateway = args.Require("gateway");
        var agones = args.Require("agones");
        var people = args.Int("people", 200);
        var baselineUser = args.Require("baseline-user");
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

        var times = new List<double>();
        var waits = 0;
        var notReady = 0;
        var started = Stopwatch.GetTimestamp();
        var releases = new List<Task>();
        for (var i = 0; i < people; i++)
        {
            // "With a Ready buffer": the next person arrives once a runtime is Ready (the refill is not part of the figure).
            if (await Agones.WaitReadyAsync(http, agones, 1, TimeSpan.FromSeconds(60)) == 0)
            {
                notReady++;
            }

            var user = $"bench-ttr-{i:000}";
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
            releases.Add(Http.ReleaseAsync(http, gateway, user)); // gives the runtime back while the next person arrives
        }

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
            wall_s = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1),
        };
    }

    private static async Task<double> FirstByteAsync(HttpClient http, string gateway, string user)
    {
        var t0 = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(Http.Get(gateway + "/sdapi/v1/options", user), HttpCompletionOption.ResponseHeadersRead);
        return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }
}
