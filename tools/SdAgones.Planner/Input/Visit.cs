namespace SdAgones.Planner.Input;

/// <summary>
/// One time a person wanted a runtime, as the simulator replays it: when they asked, how long after getting a runtime
/// they last used it, and whether they gave it back themselves (otherwise the idle rule reclaims it).
/// Times are milliseconds since the trace's origin.
/// </summary>
public readonly record struct Visit(string Person, string Pool, long ArriveAtMs, long ActiveMs, bool GaveBack);

/// <summary>What the planner replays: visits per pool (fleet and GPU profile), the window they span, and what the log itself saw.</summary>
public sealed record Trace(DateTimeOffset Origin, long HorizonMs, IReadOnlyDictionary<string, IReadOnlyList<Visit>> Pools, ObservedRun? Observed)
{
    public int VisitCount => Pools.Values.Sum(v => v.Count);
}

/// <summary>What the recorded run itself measured (from <c>bound</c>/<c>released</c> events), to set beside the simulation of the same settings.</summary>
public sealed record ObservedRun(int Sessions, double BoundGpuSeconds, IReadOnlyList<double> WaitSeconds, int LeftLine);

/// <summary>Bad input: one line a person understands, naming the file line or the option.</summary>
public sealed class PlannerInputException(string message) : Exception(message);
