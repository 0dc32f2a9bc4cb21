using System.Collections.Concurrent;
using System.Net;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Bench;

/// <summary>
/// Issue 21's trust check, the platform side (<c>bench/planner-check</c>): a fixed arrival script played against the
/// running platform, each person a real HTTP client of the gateway. A person arrives at their scripted time, asks until
/// their runtime answers (the wait, measured here), works for their session length (a request every
/// <c>--activity-every</c> seconds), then goes silent until the cruiser reclaims the runtime. Meanwhile the GameServers
/// are listed every <c>--poll-ms</c> and integrated into GPU-seconds bound (Allocated) and Ready but unused (every
/// other live state), and each GameServer's creation → Ready time is taken. The arrivals as they really happened are
/// written as a v1 events file (one session per person, as a platform with a runtime always Ready would log it), which
/// the planner replays beside the platform's own export.
/// </summary>
internal static class PlannerCheck
{
    private static readonly string[] Dead = ["Shutdown", "Unhealthy", "Error"];

    /// <summary>One person of the script: when they arrive (seconds after the start) and how long they work once served.</summary>
    private sealed record Person(string Name, double ArriveS, double ActiveS);

    private sealed record Served(string Name, DateTimeOffset Arrived, DateTimeOffset BoundAt, DateTimeOffset LastActive);

    public static async Task<object> RunAsync(BenchArgs o)
    {
        var gateway = o.Require("gateway");
        var agones = o.Require("agones");
        var people = o.Int("people", 36);
        var windowS = o.Double("window", 300);
        var idleS = o.Double("idle-timeout", 20);
        var seed = o.Int("seed", 21);
        var pollMs = o.Int("poll-ms", 200);
        var everyS = o.Double("activity-every", 2);
        var scriptPath = o.Require("script-events");
        var script = Script(people, windowS, seed, o.Double("session-median", 40));

        using var http = Http.Client(15);
        var fleet = new FleetWatch(http, agones);
        using var stop = new CancellationTokenSource();
        var start = DateTimeOffset.UtcNow.AddSeconds(2);
        var watching = fleet.RunAsync(start, pollMs, stop.Token);
        var served = new ConcurrentBag<Served>();
        var failures = new ConcurrentBag<string>();
        await Task.WhenAll(script.Select(p => Task.Run(() => VisitAsync(p))));

        // Everyone is silent now: wait for the last runtime to be reclaimed (the idle timeout, a pass, the delete).
        var limit = DateTimeOffset.UtcNow.AddSeconds(idleS + 90);
        while (fleet.Allocated > 0 && DateTimeOffset.UtcNow < limit)
        {
            await Task.Delay(pollMs);
        }

        var lastRelease = fleet.LastReleaseAt;
        await stop.CancelAsync();
        await watching;
        var end = lastRelease ?? DateTimeOffset.UtcNow;

        var done = served.OrderBy(s => s.Arrived).ToList();
        WriteScriptEvents(scriptPath, done, TimeSpan.FromSeconds(idleS));
        var waits = done.Select(s => (s.BoundAt - s.Arrived).TotalSeconds).ToList();
        var warmups = fleet.WarmUpSeconds();
        var first = done.Count > 0 ? done[0].Arrived : start;
        var (bound, unused) = fleet.GpuSeconds(first, end);
        return new
        {
            people,
            windowSeconds = windowS,
            idleTimeoutSeconds = idleS,
            served = done.Count,
            failures = failures.ToList(),
            stillAllocatedAtEnd = fleet.Allocated,
            measuredSeconds = Math.Round((end - first).TotalSeconds, 3),
            boundGpuSeconds = Math.Round(bound, 2),
            unusedGpuSeconds = Math.Round(unused, 2),
            waits = new
            {
                count = waits.Count,
                p50Seconds = Stats.Percentile(waits, 50),
                p95Seconds = Stats.Percentile(waits, 95),
                maxSeconds = waits.Count > 0 ? Math.Round(waits.Max(), 3) : double.NaN,
                overMinute = waits.Count(w => w > 60),
            },
            warmUpSeconds = new
            {
                count = warmups.Count,
                min = warmups.Count > 0 ? Math.Round(warmups.Min(), 3) : double.NaN,
                p10 = Stats.Percentile(warmups, 10),
                p50 = Stats.Percentile(warmups, 50),
                p90 = Stats.Percentile(warmups, 90),
                max = warmups.Count > 0 ? Math.Round(warmups.Max(), 3) : double.NaN,
                mean = warmups.Count > 0 ? Math.Round(warmups.Average(), 3) : double.NaN,
            },
            gameServers = fleet.Lives(first),
            script = done.Select(s => new
            {
                person = s.Name,
                arrivedSeconds = Math.Round((s.Arrived - first).TotalSeconds, 3),
                waitSeconds = Math.Round((s.BoundAt - s.Arrived).TotalSeconds, 3),
                activeSeconds = Math.Round((s.LastActive - s.BoundAt).TotalSeconds, 3),
            }),
        };

        async Task VisitAsync(Person p)
        {
            var at = start.AddSeconds(p.ArriveS);
            if (at > DateTimeOffset.UtcNow)
            {
                await Task.Delay(at - DateTimeOffset.UtcNow);
            }

            var arrived = DateTimeOffset.UtcNow;
            var giveUp = arrived.AddMinutes(5);
            while (!await AskAsync(p.Name))
            {
                if (DateTimeOffset.UtcNow > giveUp)
                {
                    failures.Add($"{p.Name} was not served within 5 minutes");
                    return;
                }

                await Task.Delay(250);
            }

            var boundAt = DateTimeOffset.UtcNow;
            var until = boundAt.AddSeconds(p.ActiveS);
            var last = boundAt;
            while (true)
            {
                var next = last.AddSeconds(everyS);
                if (next > until)
                {
                    next = until;
                }

                if (next <= last)
                {
                    break;
                }

                await Task.Delay(next - DateTimeOffset.UtcNow is { } d && d > TimeSpan.Zero ? d : TimeSpan.Zero);
                last = DateTimeOffset.UtcNow;
                if (!await AskAsync(p.Name))
                {
                    failures.Add($"{p.Name} lost the runtime while working, {(last - boundAt).TotalSeconds:0.0} s after getting it");
                    break;
                }
            }

            served.Add(new Served(p.Name, arrived, boundAt, last));
        }

        async Task<bool> AskAsync(string person)
        {
            try
            {
                using var response = await http.SendAsync(Http.Get(gateway + "/sdapi/v1/options", person));
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The fixed script: arrivals over the window with a peak in the middle (the sum of two uniform draws, like an
    /// office hour's rise and fall), session lengths log-normal around the median (σ 0.5, 10 s to 3 × the median).
    /// </summary>
    private static List<Person> Script(int people, double windowS, int seed, double medianS)
    {
        var random = new Random(seed);
        var list = new List<Person>(people);
        for (var i = 0; i < people; i++)
        {
            var arrive = windowS * (random.NextDouble() + random.NextDouble()) / 2;
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var active = Math.Clamp(medianS * Math.Exp(0.5 * normal), 10, 3 * medianS);
            list.Add(new Person($"person-{i + 1:00}", Math.Round(arrive, 3), Math.Round(active, 3)));
        }

        return list;
    }

    /// <summary>
    /// The arrivals as they happened, as v1 session events the planner reads: queued and bound at the arrival, released
    /// as <c>idle</c> the idle timeout after the last request (the planner's reader takes the last activity back from that).
    /// </summary>
    private static void WriteScriptEvents(string path, IReadOnlyList<Served> served, TimeSpan idleTimeout)
    {
        var events = new List<SessionEvent>();
        foreach (var s in served)
        {
            var active = s.LastActive - s.BoundAt;
            var runtime = $"script-{s.Name}";
            events.Add(new SessionEvent(SessionEvent.Version, 0, s.Arrived, "queued", s.Name, null, "script", "", null, null, null));
            events.Add(new SessionEvent(SessionEvent.Version, 0, s.Arrived, "bound", s.Name, runtime, "script", "", null, 0, null));
            events.Add(new SessionEvent(SessionEvent.Version, 0, s.Arrived + active + idleTimeout, "released", s.Name, runtime, "script", "", "idle", null,
                (active + idleTimeout).TotalSeconds));
        }

        var seq = 0L;
        File.WriteAllText(path, SessionEventLog.ToJsonLines(events.OrderBy(e => e.At).Select(e => e with { Seq = ++seq })));
    }

    /// <summary>The GameServers over time, from listing them every few hundred milliseconds.</summary>
    private sealed class FleetWatch(HttpClient http, string agones)
    {
        private readonly List<(DateTimeOffset At, int Allocated, int Other)> samples = [];
        private readonly Dictionary<string, DateTimeOffset> firstSeen = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DateTimeOffset> readyAt = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DateTimeOffset> allocatedAt = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DateTimeOffset> goneAt = new(StringComparer.Ordinal);
        private volatile int allocated = int.MaxValue;

        public int Allocated => allocated;

        /// <summary>When the last Allocated GameServer went away (Allocated count dropped to 0).</summary>
        public DateTimeOffset? LastReleaseAt { get; private set; }

        public async Task RunAsync(DateTimeOffset start, int pollMs, CancellationToken ct)
        {
            var wasAllocated = false;
            while (!ct.IsCancellationRequested)
            {
                List<Server> servers;
                try
                {
                    servers = await Agones.ListAsync(http, agones);
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(pollMs, CancellationToken.None);
                    continue;
                }

                var now = DateTimeOffset.UtcNow;
                var a = servers.Count(s => s.State == "Allocated");
                var other = servers.Count(s => s.State != "Allocated" && !Dead.Contains(s.State));
                foreach (var s in servers)
                {
                    firstSeen.TryAdd(s.Name, now);
                    if (s.State is "Ready" or "Allocated")
                    {
                        readyAt.TryAdd(s.Name, now);
                    }

                    if (s.State == "Allocated")
                    {
                        allocatedAt.TryAdd(s.Name, now);
                    }
                    else if (Dead.Contains(s.State))
                    {
                        goneAt.TryAdd(s.Name, now);
                    }
                }

                foreach (var name in firstSeen.Keys.Where(n => servers.All(s => s.Name != n)))
                {
                    goneAt.TryAdd(name, now);
                }

                lock (samples)
                {
                    samples.Add((now, a, other));
                }

                if (now >= start && wasAllocated && a == 0)
                {
                    LastReleaseAt = now;
                }

                wasAllocated = a > 0 || (wasAllocated && now < start);
                allocated = now < start ? int.MaxValue : a;
                try
                {
                    await Task.Delay(pollMs, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        /// <summary>Creation (first seen) → Ready, for GameServers created after the watch began (not the warm fleet).</summary>
        public List<double> WarmUpSeconds()
        {
            var origin = samples.Count > 0 ? samples[0].At : DateTimeOffset.MinValue;
            return readyAt.Where(r => firstSeen[r.Key] > origin).Select(r => (r.Value - firstSeen[r.Key]).TotalSeconds).ToList();
        }

        /// <summary>Each GameServer's life as seen by the listing, in seconds from <paramref name="origin"/> (for finding where the platform and the planner part).</summary>
        public List<object> Lives(DateTimeOffset origin)
        {
            double? At(Dictionary<string, DateTimeOffset> times, string name) =>
                times.TryGetValue(name, out var t) ? Math.Round((t - origin).TotalSeconds, 3) : null;
            return [.. firstSeen.OrderBy(f => f.Value).Select(f => (object)new
            {
                name = f.Key,
                created = At(firstSeen, f.Key),
                ready = At(readyAt, f.Key),
                allocated = At(allocatedAt, f.Key),
                gone = At(goneAt, f.Key),
            })];
        }

        /// <summary>GPU-seconds between two times, each sample's counts held until the next sample.</summary>
        public (double Bound, double Unused) GpuSeconds(DateTimeOffset from, DateTimeOffset to)
        {
            double bound = 0, unused = 0;
            lock (samples)
            {
                for (var i = 0; i < samples.Count; i++)
                {
                    var a = samples[i].At < from ? from : samples[i].At;
                    var b = i + 1 < samples.Count ? samples[i + 1].At : to;
                    b = b > to ? to : b;
                    if (b <= a)
                    {
                        continue;
                    }

                    var span = (b - a).TotalSeconds;
                    bound += samples[i].Allocated * span;
                    unused += samples[i].Other * span;
                }
            }

            return (bound, unused);
        }
    }
}
