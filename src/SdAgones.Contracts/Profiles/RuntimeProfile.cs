namespace SdAgones.Contracts.Profiles;

/// <summary>
/// A kind of runtime people may choose (KubeSpawner's <c>profile_list</c> entry): its own Fleet, GPU, node pool,
/// WebUI flags and waiting line. Read from <c>Profiles:N:*</c> in the services (<c>Platform:Profiles</c> in the AppHost,
/// <c>profiles</c> in deploy/settings.json); every field is written out explicitly when a Fleet is made from it, so no
/// profile's GPU or flags can leak into another's (microsoft/planetary-computer-hub#66).
/// </summary>
public sealed class RuntimeProfile
{
    /// <summary>The profile's name in URLs, headers, events and telemetry: a DNS label of at most 20 characters.</summary>
    public string Slug { get; set; } = "";

    /// <summary>What people read on the choice card; the slug when empty.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>One or two sentences on the card: what this card is good for.</summary>
    public string Description { get; set; } = "";

    /// <summary>The GKE accelerator (node label <c>cloud.google.com/gke-accelerator</c>), e.g. <c>nvidia-tesla-t4</c>, <c>nvidia-l4</c>.</summary>
    public string GpuType { get; set; } = "nvidia-tesla-t4";

    /// <summary>GPUs per runtime (<c>nvidia.com/gpu</c> request and limit); usage counts GPU-seconds × this.</summary>
    public int GpuCount { get; set; } = 1;

    /// <summary>Memory of one GPU in GiB; 0 = the known memory of <see cref="GpuType"/> (<see cref="GpuTypes"/>).</summary>
    public int GpuMemoryGiB { get; set; }

    /// <summary>The node pool's machine type (e.g. <c>n1-standard-8</c> for T4, <c>g2-standard-8</c> for L4).</summary>
    public string MachineType { get; set; } = "n1-standard-8";

    /// <summary>Spot VMs for the node pool (cheaper, may be taken back by Compute Engine).</summary>
    public bool Spot { get; set; }

    /// <summary>The Agones Fleet of this profile's runtimes; <c>sd-agones-fleet-{slug}</c> when empty.</summary>
    public string Fleet { get; set; } = "";

    /// <summary>Ready runtimes kept beyond the allocated ones (FleetAutoscaler Buffer policy).</summary>
    public int Buffer { get; set; } = 1;

    public int MinReplicas { get; set; } = 1;

    public int MaxReplicas { get; set; } = 4;

    /// <summary>A1111 command-line flags for this card (its <c>COMMANDLINE_ARGS</c> beyond the platform's own), e.g. <c>--medvram</c> on a T4.</summary>
    public string WebUIFlags { get; set; } = "";

    /// <summary>This profile's idle timeout; null = the platform's <c>Idle:Timeout</c>.</summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>Identities (emails, case-insensitive) allowed to use it. With <see cref="AllowedDomains"/> both empty: everyone.</summary>
    public List<string> AllowedUsers { get; set; } = [];

    /// <summary>Email domains (<c>example.com</c>) whose people may use it.</summary>
    public List<string> AllowedDomains { get; set; } = [];

    /// <summary>The profile of people who choose none; at most one has it, and it must be open to everyone. None marked: the first.</summary>
    public bool Default { get; set; }

    /// <summary>True when anyone signed in may use it.</summary>
    public bool IsOpen => AllowedUsers.Count == 0 && AllowedDomains.Count == 0;

    /// <summary>The GPU memory per GPU in GiB, from the setting or the known type.</summary>
    public int EffectiveGpuMemoryGiB => GpuMemoryGiB > 0 ? GpuMemoryGiB : GpuTypes.MemoryGiB(GpuType) ?? 0;

    /// <summary>The Fleet name, with the default applied.</summary>
    public string FleetName => string.IsNullOrEmpty(Fleet) ? $"{RuntimeFleet.Name}-{Slug}" : Fleet;

    /// <summary>Whether <paramref name="email"/> may use this profile (an IAP identity, already verified).</summary>
    public bool Allows(string email)
    {
        if (IsOpen)
        {
            return true;
        }

        if (AllowedUsers.Any(u => string.Equals(u, email, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        var at = email.LastIndexOf('@');
        return at >= 0 && AllowedDomains.Any(d => string.Equals(d, email[(at + 1)..], StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A copy (lists copied too), so one profile's later changes never reach another.</summary>
    public RuntimeProfile Clone() => new()
    {
        Slug = Slug, DisplayName = DisplayName, Description = Description, GpuType = GpuType, GpuCount = GpuCount,
        GpuMemoryGiB = GpuMemoryGiB, MachineType = MachineType, Spot = Spot, Fleet = Fleet, Buffer = Buffer,
        MinReplicas = MinReplicas, MaxReplicas = MaxReplicas, WebUIFlags = WebUIFlags, IdleTimeout = IdleTimeout,
        AllowedUsers = [.. AllowedUsers], AllowedDomains = [.. AllowedDomains], Default = Default,
    };
}

/// <summary>The GKE accelerator types people are likely to pick, with their memory (https://cloud.google.com/compute/docs/gpus).</summary>
public static class GpuTypes
{
    private static readonly Dictionary<string, int> Memory = new(StringComparer.Ordinal)
    {
        ["nvidia-tesla-t4"] = 16,
        ["nvidia-l4"] = 24,
        ["nvidia-tesla-v100"] = 16,
        ["nvidia-tesla-p100"] = 16,
        ["nvidia-tesla-a100"] = 40,
        ["nvidia-a100-80gb"] = 80,
        ["nvidia-h100-80gb"] = 80,
        ["nvidia-h100-mega-80gb"] = 80,
    };

    /// <summary>The memory of one GPU of <paramref name="gpuType"/> in GiB, or null when unknown (then the profile must say).</summary>
    public static int? MemoryGiB(string gpuType) => Memory.TryGetValue(gpuType, out var gib) ? gib : null;
}
