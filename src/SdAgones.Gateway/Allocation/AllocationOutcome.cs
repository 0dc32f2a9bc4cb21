using SdAgones.Runtimes.Sessions;

namespace SdAgones.Gateway.Allocation;

/// <summary>Where a person stands on the way to their runtime, in the order the waiting room shows it.</summary>
public enum WaitStage
{
    Queued,
    Allocating,
    Starting,
    Ready,
}

/// <summary>
/// The result of asking for a person's runtime: it is ready, they wait, or the platform cannot answer now.
/// <see cref="QueueRank"/> is the line's own 0-based rank; everything a person or a script reads is <see cref="QueuePosition"/>.
/// </summary>
internal sealed record AllocationOutcome(WaitStage Stage, RuntimeSession? Session, long? QueueRank, string? Problem)
{
    /// <summary>The place in the queue as people count it: the first in line is number 1.</summary>
    public long? QueuePosition => PositionOf(QueueRank);

    /// <summary>The one conversion from the line's 0-based rank to the position people read (API, pages, admin).</summary>
    public static long? PositionOf(long? rank) => rank + 1;

    public static AllocationOutcome Ready(RuntimeSession session) => new(WaitStage.Ready, session, null, null);
    public static AllocationOutcome Waiting(WaitStage stage, long? position) => new(stage, null, position, null);
    public static AllocationOutcome Unavailable(string problem, long? position = null) => new(WaitStage.Queued, null, position, problem);
}
