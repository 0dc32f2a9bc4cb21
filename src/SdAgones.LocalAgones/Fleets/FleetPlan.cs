using Microsoft.Extensions.Options;
using SdAgones.Contracts.Profiles;
using SdAgones.Runtimes.Profiles;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>
/// One Fleet LocalAgones runs: its name, its Buffer autoscaler's sizes (the FleetAutoscaler's <c>policy.buffer</c>) and
/// the profile its runtimes are started with. One per profile; with no profiles configured exactly the one Fleet of
/// <c>Fleet:Name/BufferSize/MinReplicas/MaxReplicas</c>, as before profiles.
/// </summary>
public sealed record FleetPlan(string Name, int BufferSize, int MinReplicas, int MaxReplicas, RuntimeProfile Profile)
{
    /// <summary>
    /// The Fleets of <paramref name="configured"/> profiles (each its own name, Buffer, min and max), or the single Fleet
    /// of <paramref name="options"/> carrying the catalog's default profile when none is configured.
    /// </summary>
    public static IReadOnlyList<FleetPlan> From(FleetOptions options, ProfileCatalog catalog, bool configured) =>
        configured
            ? [.. catalog.All.Select(p => new FleetPlan(p.FleetName, p.Buffer, p.MinReplicas, p.MaxReplicas, p))]
            : [new FleetPlan(options.Name, options.BufferSize, options.MinReplicas, options.MaxReplicas, catalog.Default)];
}

/// <summary>The Fleets this LocalAgones runs, in profile order (built once from <c>Fleet:*</c> and <c>Profiles:N:*</c>).</summary>
public sealed class FleetPlans(IOptions<FleetOptions> options, ProfileCatalog catalog, IOptions<ProfileOptions> profiles)
{
    private readonly Lazy<IReadOnlyList<FleetPlan>> all = new(() => FleetPlan.From(options.Value, catalog, profiles.Value.Profiles.Count > 0));

    public IReadOnlyList<FleetPlan> All => all.Value;

    /// <summary>The plan of Fleet <paramref name="name"/>, or null when LocalAgones runs no such Fleet.</summary>
    public FleetPlan? Find(string? name) => All.FirstOrDefault(p => p.Name == name);
}
