namespace SdAgones.Planner.Simulation;

/// <summary>One cell of the grid the operator compares: the Ready buffer, the idle timeout and the Ready policy.</summary>
public readonly record struct PlanSetting(int Buffer, TimeSpan IdleTimeout, string Policy)
{
    public override string ToString() => $"{Policy} {Buffer}, idle {Durations.Format(IdleTimeout)}";
}

/// <summary>What is the same for every cell: warm-up, the cruiser's pass interval, the node pool's maximum, the seed, the waiting order.</summary>
public sealed record SimulationParameters(WarmUp WarmUp, TimeSpan CheckInterval, int MaxRuntimes, int Seed, IWaitingOrder? Order = null)
{
    /// <summary>The line's order; first come, first served unless a fair-share order is given.</summary>
    public IWaitingOrder WaitingOrder => Order ?? Fifo.Instance;
}

/// <summary>How long a new GameServer takes from creation to Ready: fixed, or uniform between two bounds.</summary>
public sealed record WarmUp(TimeSpan Min, TimeSpan Max)
{
    public long SampleMs(Random random) =>
        Min == Max ? (long)Min.TotalMilliseconds : (long)(Min.TotalMilliseconds + (random.NextDouble() * (Max - Min).TotalMilliseconds));

    public override string ToString() => Min == Max ? Durations.Format(Min) : $"{Durations.Format(Min)}..{Durations.Format(Max)}";
}
