using SdAgones.Planner.Input;
using SdAgones.Runtimes.Sessions;
using SdAgones.Runtimes.Usage;

namespace SdAgones.Planner.Simulation;

/// <summary>
/// A discrete-event simulation of one pool (Fleet and GPU profile) on simulated time, in whole milliseconds:
/// arrivals join the line with the score the <see cref="IWaitingOrder"/> fixes then, a Ready GameServer goes to the
/// lowest score (ties: the earlier ticket), the runtime is
/// released when the person gives it back or when the <see cref="IdleRule"/> reclaims it, and after every change the
/// <see cref="IReadyPolicy"/> sets the Fleet's replicas (capped by the node pool): new GameServers become Ready after
/// the warm-up, a surplus removes starting ones first (newest first), then Ready ones — never allocated ones.
/// Events at the same millisecond run in the order they were scheduled. The Fleet starts warm: the policy's Ready
/// runtimes exist at the origin.
/// </summary>
public sealed class FleetSimulation
{
    private enum Kind : byte { Arrival, Ready, Release }

    private readonly IReadOnlyList<Visit> visits;
    private readonly IdleOptions idle;
    private readonly SimulationParameters parameters;
    private readonly IReadyPolicy policy;
    private readonly IWaitingOrder order;
    private readonly Random random;
    private readonly DayTimeline? timeline;
    private readonly PriorityQueue<(Kind Kind, int Index, string? Person, int Version), (long At, long Seq)> queue = new();
    private readonly List<int> starting = [];
    private readonly Dictionary<string, Holder> bound = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<DateOnly, double>> usage = new(StringComparer.Ordinal);
    private readonly DateTimeOffset origin;
    private readonly List<Waiter> line = [];
    private readonly Dictionary<string, Waiter> waiting = new(StringComparer.Ordinal);
    private readonly List<long> waits;
    private long seq;
    private long ticket;
    private int nextRuntime;
    private int ready;
    private int allocated;
    private long last;
    private long boundMs;
    private long unusedMs;

    /// <param name="origin">The real time of simulated millisecond 0 (the trace's first event): usage is kept in UTC day buckets, as the product's ledger.</param>
    public FleetSimulation(IReadOnlyList<Visit> visits, PlanSetting setting, SimulationParameters parameters, DateTimeOffset origin,
        DayTimeline? timeline = null, int poolIndex = 0)
    {
        this.visits = visits;
        this.parameters = parameters;
        this.origin = origin;
        idle = new IdleOptions { Timeout = setting.IdleTimeout, CheckInterval = parameters.CheckInterval };
        policy = ReadyPolicies.Create(setting, visits);
        order = parameters.WaitingOrder;
        this.timeline = timeline;
        random = new Random(unchecked((parameters.Seed * 7919) + poolIndex)); // not HashCode.Combine: it is seeded anew in every process
        waits = new List<long>(visits.Count);
    }

    /// <summary>Runs to the end: every visit served and released, accounted until <paramref name="horizonMs"/> at least.</summary>
    public PoolOutcome Run(long horizonMs)
    {
        for (var i = 0; i < visits.Count; i++)
        {
            Schedule(visits[i].ArriveAtMs, Kind.Arrival, i);
        }

        ready = Math.Clamp(policy.DesiredReplicas(0, 0), 0, parameters.MaxRuntimes);
        var now = 0L;
        while (queue.TryDequeue(out var e, out var at))
        {
            now = at.At;
            switch (e.Kind)
            {
                case Kind.Arrival:
                    Arrive(visits[e.Index], now);
                    break;
                case Kind.Ready:
                    if (starting.Contains(e.Index))
                    {
                        Account(now);
                        starting.Remove(e.Index);
                        ready++;
                        Allocate(now);
                    }

                    break;
                case Kind.Release:
                    if (bound.TryGetValue(e.Person!, out var h) && h.Version == e.Version)
                    {
                        Release(e.Person!, h, now);
                    }

                    break;
            }
        }

        Account(Math.Max(now, horizonMs));
        foreach (var w in line)
        {
            waits.AddRange(w.Arrivals.Select(_ => PoolOutcome.NeverServed)); // e.g. a Buffer of 0: nothing is ever made Ready
        }

        return new PoolOutcome(boundMs, unusedMs, waits);
    }

    private void Arrive(Visit visit, long now)
    {
        timeline?.Arrival(now);
        if (bound.TryGetValue(visit.Person, out var h))
        {
            waits.Add(0); // the runtime is still theirs: no wait, and the activity goes on
            if (now + visit.ActiveMs >= h.LastActiveMs)
            {
                h.LastActiveMs = now + visit.ActiveMs;
                h.GaveBack = visit.GaveBack;
            }

            h.Version++;
            ScheduleRelease(visit.Person, h);
            return;
        }

        if (waiting.TryGetValue(visit.Person, out var w))
        {
            w.Arrivals.Add(now);
            if (visit.ActiveMs >= w.ActiveMs)
            {
                w.ActiveMs = visit.ActiveMs;
                w.GaveBack = visit.GaveBack;
            }

            return;
        }

        var used = usage.TryGetValue(visit.Person, out var days) ? days.Select(d => (d.Key, d.Value)).ToList() : [];
        w = new Waiter(visit.Person, now, ticket, order.Score(visit.Person, ticket, origin.AddMilliseconds(now), used))
        {
            ActiveMs = visit.ActiveMs,
            GaveBack = visit.GaveBack,
        };
        ticket++;
        line.Add(w);
        waiting[visit.Person] = w;
        Allocate(now);
    }

    private void Allocate(long now)
    {
        while (line.Count > 0 && ready > 0)
        {
            var index = 0;
            for (var i = 1; i < line.Count; i++)
            {
                if (line[i].Score < line[index].Score)
                {
                    index = i; // the line is in ticket order, so a tie keeps the earlier ticket
                }
            }

            var w = line[index];
            line.RemoveAt(index);
            waiting.Remove(w.Person);
            Account(now);
            ready--;
            allocated++;
            foreach (var arrived in w.Arrivals)
            {
                waits.Add(now - arrived);
            }

            var h = new Holder { BoundAtMs = now, LastActiveMs = now + w.ActiveMs, GaveBack = w.GaveBack };
            bound[w.Person] = h;
            ScheduleRelease(w.Person, h);
        }

        Scale(now);
    }

    private void Release(string person, Holder h, long now)
    {
        Account(now);
        allocated--;
        bound.Remove(person);
        if (!usage.TryGetValue(person, out var days))
        {
            usage[person] = days = [];
        }

        foreach (var (day, seconds) in UsageCalendar.Split(origin.AddMilliseconds(h.BoundAtMs), origin.AddMilliseconds(now)))
        {
            days[day] = days.GetValueOrDefault(day) + seconds; // the product's fold: one runtime = one GPU
        }
        Scale(now);
    }

    private void Scale(long now)
    {
        var desired = Math.Clamp(policy.DesiredReplicas(allocated, now), 0, parameters.MaxRuntimes);
        var live = starting.Count + ready + allocated;
        if (live < desired)
        {
            Account(now);
            for (var i = live; i < desired; i++)
            {
                var id = nextRuntime++;
                starting.Add(id);
                Schedule(now + parameters.WarmUp.SampleMs(random), Kind.Ready, id);
            }
        }
        else if (live > desired)
        {
            Account(now);
            var surplus = live - desired;
            for (; surplus > 0 && starting.Count > 0; surplus--)
            {
                starting.RemoveAt(starting.Count - 1);
            }

            var down = Math.Min(surplus, ready);
            ready -= down;
        }
    }

    private void ScheduleRelease(string person, Holder h) =>
        queue.Enqueue((Kind.Release, 0, person, h.Version), (h.GaveBack ? h.LastActiveMs : IdleRule.ReclaimAtMs(h.LastActiveMs, idle), seq++));

    private void Schedule(long at, Kind kind, int index) => queue.Enqueue((kind, index, null, 0), (at, seq++));

    private void Account(long now)
    {
        if (now <= last)
        {
            return;
        }

        var span = now - last;
        boundMs += allocated * span;
        unusedMs += (ready + starting.Count) * span;
        timeline?.Span(last, now, ready, starting.Count, allocated);
        last = now;
    }

    private sealed class Holder
    {
        public long BoundAtMs { get; init; }

        public long LastActiveMs { get; set; }

        public bool GaveBack { get; set; }

        public int Version { get; set; }
    }
}

/// <summary>One pool's result for one setting: GPU-milliseconds bound and unused (Ready or warming up), and every wait.</summary>
public sealed record PoolOutcome(long BoundMs, long UnusedMs, IReadOnlyList<long> WaitsMs)
{
    /// <summary>The wait of a person still in line when the simulation ends.</summary>
    public const long NeverServed = long.MaxValue;
}
