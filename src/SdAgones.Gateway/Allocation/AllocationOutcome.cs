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

/// <summary>The result of asking for a person's runtime: it is ready, they wait, or the platform cannot answer now.</summary>
internal sealed record AllocationOutcome(WaitStage Stage, RuntimeSession? Session, long? QueuePosition, string? Problem)
{
    public static AllocationOutcome Ready(RuntimeSession session) => new(WaitStage.Ready, session, null, null);
    public static AllocationOutcome Waiting(WaitStage stage, long? position) => new(stage, null, position, null);
    public static AllocationOutcome Unavailable(string problem, long? position = null) => new(WaitStage.Queued, null, position, problem);
}
