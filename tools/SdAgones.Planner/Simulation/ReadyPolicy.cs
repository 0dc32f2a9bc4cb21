using SdAgones.Planner.Input;

namespace SdAgones.Planner.Simulation;

/// <summary>
/// How many GameServers the Fleet wants (allocated + Ready + starting) at a moment: the seam for the FleetAutoscaler
/// policy. <see cref="BufferPolicy"/> is Agones' Buffer policy; a forecast policy (pre-warming before arrivals) plugs
/// in here and gets the visits seen so far through <see cref="ReadyPolicies.Create"/>.
/// </summary>
public interface IReadyPolicy
{
    int DesiredReplicas(int allocated, long nowMs);
}

/// <summary>Agones' Buffer policy: keep <c>bufferSize</c> Ready beyond the allocated ones (the LocalAgones FleetController does the same).</summary>
public sealed class BufferPolicy(int buffer) : IReadyPolicy
{
    public int DesiredReplicas(int allocated, long nowMs) => allocated + buffer;
}

/// <summary>The policies a grid may name.</summary>
public static class ReadyPolicies
{
    public static readonly string[] Known = ["buffer"];

    /// <summary>The policy for one cell; <paramref name="history"/> is the pool's visits, for policies that learn from the past.</summary>
    public static IReadyPolicy Create(PlanSetting setting, IReadOnlyList<Visit> history) => setting.Policy switch
    {
        "buffer" => new BufferPolicy(setting.Buffer),
        _ => throw new PlannerInputException($"--policy: '{setting.Policy}' is not available (allowed: {string.Join(", ", Known)}; a forecast policy comes with the pre-warm issue)."),
    };
}
