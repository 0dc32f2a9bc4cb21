namespace SdAgones.Planner.Simulation;

/// <summary>A person in the simulated line: when they first asked, and what they will do once bound.</summary>
public sealed class Waiter(string person, long arrivedAtMs, long ticket)
{
    public string Person { get; } = person;

    public long ArrivedAtMs { get; } = arrivedAtMs;

    /// <summary>Order of joining the line (the product's <c>sd:queue</c> ticket).</summary>
    public long Ticket { get; } = ticket;

    /// <summary>Every arrival of this person while waiting; each is one wait that ends at the bind.</summary>
    public List<long> Arrivals { get; } = [arrivedAtMs];

    public long ActiveMs { get; set; }

    public bool GaveBack { get; set; }
}

/// <summary>
/// Who gets the next Ready runtime. The seam for the waiting order: <see cref="Fifo"/> is the product's order today
/// (<c>WaitingLine</c>: lowest ticket first); a fair-share order implements this with the person's bound
/// GPU-milliseconds so far (<paramref name="boundMsSoFar"/>) as its usage input.
/// </summary>
public interface IWaitingOrder
{
    /// <summary>The index in <paramref name="line"/> (in ticket order, never empty) of the person served next.</summary>
    int Next(IReadOnlyList<Waiter> line, Func<string, long> boundMsSoFar, long nowMs);
}

/// <summary>First come, first served: the product's waiting line.</summary>
public sealed class Fifo : IWaitingOrder
{
    public static readonly Fifo Instance = new();

    public int Next(IReadOnlyList<Waiter> line, Func<string, long> boundMsSoFar, long nowMs) => 0;
}
