using SdAgones.Runtimes.Usage;

namespace SdAgones.Planner.Simulation;

/// <summary>A person in the simulated line: when they first asked, their fixed place in line, and what they will do once bound.</summary>
public sealed class Waiter(string person, long arrivedAtMs, long ticket, double score)
{
    public string Person { get; } = person;

    public long ArrivedAtMs { get; } = arrivedAtMs;

    /// <summary>Order of joining the line (the product's <c>sd:queue</c> ticket).</summary>
    public long Ticket { get; } = ticket;

    /// <summary>The score fixed when the person joined (lower is served first; ties by <see cref="Ticket"/>), as the product's <c>sd:queue</c>.</summary>
    public double Score { get; } = score;

    /// <summary>Every arrival of this person while waiting; each is one wait that ends at the bind.</summary>
    public List<long> Arrivals { get; } = [arrivedAtMs];

    public long ActiveMs { get; set; }

    public bool GaveBack { get; set; }
}

/// <summary>
/// How the simulated line is ordered, as the product's <c>WaitingLine</c> does it: a score fixed when a person joins
/// (a later arrival of someone already waiting keeps it), the lowest score served first, ties in ticket order.
/// </summary>
public interface IWaitingOrder
{
    /// <summary>
    /// The score of <paramref name="person"/> joining the line at <paramref name="arrival"/> (ticket <paramref name="ticket"/>),
    /// given their GPU-seconds per UTC day bound in this replay so far (released runtimes only, as the product reads the folded buckets).
    /// </summary>
    double Score(string person, long ticket, DateTimeOffset arrival, IReadOnlyCollection<(DateOnly Day, double GpuSeconds)> usage);
}

/// <summary>First come, first served: the product's line without fair share (the score is the ticket).</summary>
public sealed class Fifo : IWaitingOrder
{
    public static readonly Fifo Instance = new();

    public double Score(string person, long ticket, DateTimeOffset arrival, IReadOnlyCollection<(DateOnly Day, double GpuSeconds)> usage) => ticket;

    public override string ToString() => "fifo";
}

/// <summary>
/// The product's fair-share order (<c>Usage:FairShare=true</c>): the score is <see cref="FairShare.Priority"/> of the
/// arrival and the usage decayed to it with <see cref="FairShare.DecayedUsage"/> — the product's functions, on
/// simulated time. Every person has weight 1 (the planner has no identities' weights).
/// </summary>
public sealed class FairShareWaitingOrder(TimeSpan halfLife, TimeSpan maxWaitBehindLater, TimeSpan usageScale) : IWaitingOrder
{
    /// <summary>The product's defaults (<see cref="UsageOptions"/>).</summary>
    public static readonly UsageOptions ProductDefaults = new();

    public TimeSpan HalfLife { get; } = halfLife;

    public TimeSpan MaxWaitBehindLater { get; } = maxWaitBehindLater;

    public TimeSpan UsageScale { get; } = usageScale;

    public double Score(string person, long ticket, DateTimeOffset arrival, IReadOnlyCollection<(DateOnly Day, double GpuSeconds)> usage) =>
        FairShare.Priority(arrival, FairShare.DecayedUsage(usage, arrival, HalfLife), 1.0, UsageScale, MaxWaitBehindLater);

    public override string ToString() =>
        $"fair-share (half-life {Durations.Format(HalfLife)}, max wait behind later {Durations.Format(MaxWaitBehindLater)}, usage scale {Durations.Format(UsageScale)})";
}
