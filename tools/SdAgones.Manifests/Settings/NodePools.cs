using System.Globalization;
using SdAgones.Contracts.Profiles;

namespace SdAgones.Manifests.Settings;

/// <summary>
/// The GPU node pools deploy/gke.sh creates, one per profile, from the same settings as the Fleets: each node has the
/// profile's GPUs (accelerator type and count), so one runtime fills one node and the pool's maximum is the profile's
/// MaxReplicas. Without profiles: the one T4 spot pool <c>gpu-t4</c> of <c>cluster.gpuMachineType</c> and
/// <c>cluster.gpuMaxNodes</c>, as before.
/// </summary>
internal static class NodePools
{
    /// <summary>One line per pool: <c>name machine-type accelerator gpu-count spot|standard max-nodes</c>.</summary>
    public static IEnumerable<string> For(DeploySettings settings) =>
        settings.HasProfiles
            ? settings.Profiles.Select(p => Line($"gpu-{p.Slug}", p, p.MaxReplicas))
            : settings.FleetProfiles.Select(p => Line("gpu-t4", p, settings.Cluster.GpuMaxNodes));

    private static string Line(string name, RuntimeProfile p, int maxNodes) => string.Create(CultureInfo.InvariantCulture,
        $"{name} {p.MachineType} {p.GpuType} {p.GpuCount} {(p.Spot ? "spot" : "standard")} {maxNodes}");
}
