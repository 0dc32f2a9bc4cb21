using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using SdAgones.Contracts.Profiles;
using System.Text.RegularExpressions;

namespace SdAgones.Manifests.Settings;

/// <summary>
/// The one file an operator edits before deploying (<c>deploy/settings.json</c>): where the cluster, images, storage,
/// cache and identity live, and how big the fleet is. Read once and checked whole; every problem names its key.
/// </summary>
public sealed partial record DeploySettings(
    ProjectSettings Project,
    ClusterSettings Cluster,
    ImageSettings Images,
    IngressSettings Ingress,
    IapSettings Iap,
    FilestoreSettings Filestore,
    MemorystoreSettings Memorystore,
    AgonesSettings Agones,
    FleetSettings Fleet,
    GatewaySettings Gateway,
    IdleSettings Idle,
    UsageSettings Usage,
    FleetAutoscaling Autoscaling)
{
    /// <summary>Parses and validates the JSON text; <paramref name="source"/> names the file in error messages.</summary>
    /// <exception cref="SettingsException">One message per missing, invalid or unknown key.</exception>
    public static DeploySettings Parse(string json, string source)
    {
        var read = SettingsReader.Open(json, source);

        var project = new ProjectSettings(
            read.String("project.id", GcpProjectId(), "a GCP project id (6-30 lowercase letters, digits, hyphens), e.g. my-sd-project"),
            read.String("project.region", GcpRegion(), "a GCP region, e.g. us-central1"),
            read.String("project.zone", GcpZone(), "a GCP zone in that region, e.g. us-central1-a"));

        var cluster = new ClusterSettings(
            read.String("cluster.name", DnsLabel(), "a lowercase name (letters, digits, hyphens), e.g. sd-agones"),
            read.String("cluster.network", DnsLabel(), "a VPC network name, e.g. default"),
            read.String("cluster.namespace", DnsLabel(), "a Kubernetes namespace name, e.g. default"),
            read.String("cluster.gpuMachineType", MachineType(), "a Compute Engine machine type for the T4 pool, e.g. n1-standard-8"),
            read.Int("cluster.gpuMaxNodes", 1, 1000, example: 6),
            read.String("cluster.version", KubernetesMinor(), "a GKE minor version, e.g. 1.35"),
            read.String("cluster.releaseChannel", ReleaseChannel(), "one of rapid, regular, stable, e.g. regular"),
            read.String("cluster.gpuDriver", GpuDriver(), "one of default, latest (GKE installs that NVIDIA driver for the node version), e.g. default"));

        var images = new ImageSettings(
            read.String("images.registry", ImageRegistry(), "an image registry path without scheme, e.g. us-central1-docker.pkg.dev/my-project/sd-agones"),
            read.String("images.tag", ImageTag(), "an image tag (letters, digits, '_', '.', '-'), e.g. 0.1.0"),
            read.String("images.collector", PinnedImage(), "an image reference with a fixed version tag (not 'latest'), e.g. otel/opentelemetry-collector-contrib:0.120.0"));

        var ingress = new IngressSettings(
            read.String("ingress.domain", DomainName(), "a DNS name, e.g. sd.example.com"),
            read.String("ingress.staticIpName", DnsLabel(), "the name of a global static IP address, e.g. sd-agones-ip"));

        var iap = new IapSettings(
            read.String("iap.audience", IapAudience(), "/projects/PROJECT_NUMBER/global/backendServices/SERVICE_ID (digits), e.g. /projects/123456789012/global/backendServices/1234567890123456789"),
            read.Check("iap.oauthSecretName", v => v.Length == 0 || DnsSubdomain().IsMatch(v),
                "\"\" (IAP uses a Google-managed OAuth client) or the name of the Kubernetes Secret holding client_id and client_secret, e.g. iap-oauth-client"));

        var filestore = new FilestoreSettings(
            read.String("filestore.instance", DnsLabel(), "a Filestore instance name, e.g. sd-filestore"),
            read.Check("filestore.ip", v => IPAddress.TryParse(v, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && v.Count(c => c == '.') == 3, "an IPv4 address, e.g. 10.0.0.2"),
            read.String("filestore.share", FileShare(), "a file share name (a letter, then letters, digits or '_', at most 16), e.g. sd_share"),
            read.String("filestore.capacity", Capacity(), "a size with a binary unit, e.g. 1Ti or 2560Gi"));

        var memorystore = new MemorystoreSettings(
            read.String("memorystore.instance", DnsLabel(), "a Memorystore instance name, e.g. sd-cache"),
            read.Check("memorystore.address", IsHostAndPort, "host:port, e.g. 10.0.0.3:6379"));

        var agones = new AgonesSettings(
            read.String("agones.chartVersion", SemVer(), "a chart version, e.g. 1.60.0"),
            read.Strings("agones.kubernetesVersions", KubernetesMinor(), "Kubernetes minor versions (the Agones release notes list them), e.g. [\"1.34\", \"1.35\", \"1.36\"]"),
            read.String("agones.allocationBatchWaitTime", GoDuration(), "a Go duration, e.g. 50ms"));
        read.Require(agones.KubernetesVersions.Count == 0 || agones.KubernetesVersions.Contains(cluster.Version), "cluster.version", cluster.Version,
            $"is Kubernetes {cluster.Version}, which Agones {agones.ChartVersion} does not support (it supports Kubernetes {string.Join(", ", agones.KubernetesVersions)}); "
            + $"use one of those, e.g. {agones.KubernetesVersions.LastOrDefault()}, or an Agones release that supports it");

        var fleet = new FleetSettings(
            read.Int("fleet.bufferSize", 1, 1000, example: 1),
            read.Int("fleet.minReplicas", 0, 1000, example: 0),
            read.Int("fleet.maxReplicas", 1, 1000, example: 6));
        read.Require(fleet.MinReplicas == 0 || fleet.MinReplicas >= fleet.BufferSize, "fleet.minReplicas", fleet.MinReplicas,
            $"is not allowed; use 0 or at least fleet.bufferSize ({fleet.BufferSize}), e.g. {fleet.BufferSize}");
        read.Require(fleet.MaxReplicas >= Math.Max(fleet.MinReplicas, fleet.BufferSize), "fleet.maxReplicas", fleet.MaxReplicas,
            $"is not allowed; use at least fleet.minReplicas and fleet.bufferSize ({Math.Max(fleet.MinReplicas, fleet.BufferSize)}), e.g. {Math.Max(fleet.MinReplicas, fleet.BufferSize)}");

        var gateway = new GatewaySettings(
            read.Int("gateway.replicas", 2, 20, example: 2),
            read.Check(PlatformSettingMap.AdminUsers.DeployKey!, IsEmailList, "comma-separated email addresses (IAP identities are emails), e.g. alice@example.com,bob@example.com"));

        var idle = new IdleSettings(
            read.Check(PlatformSettingMap.IdleTimeout.DeployKey!, v => TimeSpan.TryParseExact(v, "c", CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero, "a positive duration hh:mm:ss, e.g. 00:15:00"));

        const string quotaAllowed = "\"\" for no limit, or a positive duration hh:mm:ss (days as d.hh:mm:ss), e.g. 02:00:00";
        var usage = new UsageSettings(
            read.Check(PlatformSettingMap.DailyQuota.DeployKey!, IsQuota, quotaAllowed),
            read.Check(PlatformSettingMap.WeeklyQuota.DeployKey!, IsQuota, quotaAllowed),
            read.Bool(PlatformSettingMap.FairShare.DeployKey!, "true (the next runtime goes to who used least GPU time lately, docs/fair-share.md) or false (first come, first served)"));

        var autoscaling = read.Check("autoscaling", v => Enum.TryParse<FleetAutoscaling>(v, ignoreCase: false, out _) && !int.TryParse(v, out _),
            "Buffer (a fixed Ready buffer: fleet.bufferSize, or each profile's buffer) or Forecast (the cruiser's webhook warms runtimes before people arrive, docs/forecast.md), e.g. Forecast");

        var profiles = ReadProfiles(read);

        read.RejectUnknownKeys();
        read.ThrowIfInvalid();
        return new DeploySettings(project, cluster, images, ingress, iap, filestore, memorystore, agones, fleet, gateway, idle, usage,
            Enum.Parse<FleetAutoscaling>(autoscaling)) { Profiles = profiles };
    }

    /// <summary>
    /// The GPU profiles of <c>profiles</c> (<see cref="RuntimeProfile"/>'s fields in camelCase); empty when the file has
    /// none, and then the one T4 Fleet <c>sd-agones-fleet</c> of <c>fleet.*</c> and <c>cluster.gpu*</c>, as before.
    /// </summary>
    public IReadOnlyList<RuntimeProfile> Profiles { get; init; } = [];

    /// <summary>
    /// The profiles a Fleet and a node pool are made for: <see cref="Profiles"/>, or (none configured) the one T4 profile
    /// of the Fleet <see cref="RuntimeFleet.Name"/> on spot <c>cluster.gpuMachineType</c> nodes sized by <c>fleet.*</c>.
    /// </summary>
    public IReadOnlyList<RuntimeProfile> FleetProfiles => Profiles.Count > 0 ? Profiles :
    [
        new RuntimeProfile
        {
            Slug = ProfileCatalog.DefaultSlug, Fleet = RuntimeFleet.Name, GpuType = "nvidia-tesla-t4", GpuCount = 1,
            MachineType = Cluster.GpuMachineType, Spot = true, Buffer = Fleet.BufferSize, MinReplicas = Fleet.MinReplicas,
            MaxReplicas = Fleet.MaxReplicas, Default = true,
        },
    ];

    /// <summary>True when the file has profiles: the Fleets then carry the profile label and the services the profiles.</summary>
    public bool HasProfiles => Profiles.Count > 0;

    private static readonly JsonSerializerOptions ProfileJson = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    private static List<RuntimeProfile> ReadProfiles(SettingsReader read)
    {
        if (read.Optional(ProfileSettings.DeployKey) is not { } element)
        {
            return [];
        }

        List<RuntimeProfile> profiles;
        try
        {
            profiles = element.Deserialize<List<RuntimeProfile>>(ProfileJson) ?? [];
        }
        catch (JsonException ex)
        {
            read.Invalid(ProfileSettings.DeployKey, $"{ProfileSettings.DeployKey} is not a list of profiles ({ex.Message.Split(" Path:")[0].TrimEnd('.')}); "
                + "use e.g. [{\"slug\": \"t4\", \"gpuType\": \"nvidia-tesla-t4\", \"webUIFlags\": \"--medvram\", \"default\": true}]");
            return [];
        }

        foreach (var problem in ProfileCatalog.Problems(profiles))
        {
            read.Invalid(ProfileSettings.DeployKey, $"{ProfileSettings.DeployKey}: {problem}");
        }

        // What Agones' FleetAutoscaler accepts (the Buffer policy's own rules, as for fleet.* above).
        for (var i = 0; i < profiles.Count; i++)
        {
            var p = profiles[i];
            if (p.MinReplicas != 0 && p.MinReplicas < p.Buffer)
            {
                read.Invalid(ProfileSettings.DeployKey, $"{ProfileSettings.DeployKey}: {ProfileCatalog.Section}:{i}:{nameof(p.MinReplicas)} is {p.MinReplicas}: use 0 or at least Buffer ({p.Buffer}).");
            }

            if (p.MaxReplicas < Math.Max(p.MinReplicas, p.Buffer))
            {
                read.Invalid(ProfileSettings.DeployKey, $"{ProfileSettings.DeployKey}: {ProfileCatalog.Section}:{i}:{nameof(p.MaxReplicas)} is {p.MaxReplicas}: use at least MinReplicas and Buffer ({Math.Max(p.MinReplicas, p.Buffer)}).");
            }
        }

        return profiles;
    }

    /// <summary>The value this file gives a platform setting production takes from it (<see cref="PlatformSettingMap.Deployed"/>).</summary>
    /// <returns>The value as the services' environment takes it, or null when the file leaves it unset (an empty quota).</returns>
    public string? ValueOf(PlatformSetting setting) =>
        ReferenceEquals(setting, PlatformSettingMap.IdleTimeout) ? PlatformSettingMap.Format(Idle.Duration)
        : ReferenceEquals(setting, PlatformSettingMap.AdminUsers) ? Gateway.AdminUsers
        : ReferenceEquals(setting, PlatformSettingMap.DailyQuota) ? Usage.Daily is { } daily ? PlatformSettingMap.Format(daily) : null
        : ReferenceEquals(setting, PlatformSettingMap.WeeklyQuota) ? Usage.Weekly is { } weekly ? PlatformSettingMap.Format(weekly) : null
        : ReferenceEquals(setting, PlatformSettingMap.FairShare) ? PlatformSettingMap.Format(Usage.FairShare)
        : throw new ArgumentException($"deploy/settings.json has no value for {setting.PlatformKey}.", nameof(setting));

    private static bool IsQuota(string value) =>
        value.Length == 0 || TimeSpan.TryParseExact(value, "c", CultureInfo.InvariantCulture, out var quota) && quota > TimeSpan.Zero;

    private static bool IsHostAndPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0
            && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            && (DomainName().IsMatch(value[..colon]) || IPAddress.TryParse(value[..colon], out _));
    }

    private static bool IsEmailList(string value) =>
        value.Split(',').All(part => EmailAddress().IsMatch(part.Trim()));

    [GeneratedRegex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex GcpProjectId();

    [GeneratedRegex("^[a-z]+-[a-z]+[0-9]+$")]
    private static partial Regex GcpRegion();

    [GeneratedRegex("^[a-z]+-[a-z]+[0-9]+-[a-z]$")]
    private static partial Regex GcpZone();

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    private static partial Regex MachineType();

    [GeneratedRegex("^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$")]
    private static partial Regex ImageRegistry();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex ImageTag();

    [GeneratedRegex("^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$")]
    private static partial Regex DomainName();

    [GeneratedRegex("^/projects/[0-9]+/global/backendServices/[0-9]+$")]
    private static partial Regex IapAudience();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,15}$")]
    private static partial Regex FileShare();

    [GeneratedRegex("^[1-9][0-9]*(Gi|Ti)$")]
    private static partial Regex Capacity();

    [GeneratedRegex("^1\\.[0-9]{2}$")]
    private static partial Regex KubernetesMinor();

    [GeneratedRegex("^(rapid|regular|stable)$")]
    private static partial Regex ReleaseChannel();

    [GeneratedRegex("^(default|latest)$")]
    private static partial Regex GpuDriver();

    // registry/path:tag where the tag is a version, never "latest"; or a digest.
    [GeneratedRegex("^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+(:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$")]
    private static partial Regex PinnedImage();

    [GeneratedRegex("^[0-9]+\\.[0-9]+\\.[0-9]+$")]
    private static partial Regex SemVer();

    [GeneratedRegex("^[0-9]+(ms|s)$")]
    private static partial Regex GoDuration();

    [GeneratedRegex("^[^@\\s,]+@[^@\\s,]+\\.[^@\\s,]+$")]
    private static partial Regex EmailAddress();
}

/// <summary>The GCP project and where in it things run.</summary>
public sealed record ProjectSettings(string Id, string Region, string Zone);

/// <summary>The GKE cluster, the namespace everything goes into, and the T4 spot pool's shape.</summary>
public sealed record ClusterSettings(
    string Name, string Network, string Namespace, string GpuMachineType, int GpuMaxNodes, string Version, string ReleaseChannel, string GpuDriver);

/// <summary>Where images are pushed (every image of one release shares the tag), and the third-party images the cluster runs.</summary>
public sealed record ImageSettings(string Registry, string Tag, string Collector)
{
    /// <summary>The full reference of one image in the registry.</summary>
    public string Reference(string repository) => $"{Registry}/{repository}:{Tag}";
}

/// <summary>The public name and the reserved global address of the HTTPS load balancer.</summary>
public sealed record IngressSettings(string Domain, string StaticIpName);

/// <summary>IAP: the audience the gateway checks, and the name (never the value) of the OAuth client's Secret; empty for a Google-managed client.</summary>
public sealed record IapSettings(string Audience, string OAuthSecretName)
{
    public bool GoogleManagedClient => OAuthSecretName.Length == 0;
}

/// <summary>The Filestore (NFS) share holding models and outputs.</summary>
public sealed record FilestoreSettings(string Instance, string Ip, string Share, string Capacity);

/// <summary>The Memorystore for Redis instance holding sessions.</summary>
public sealed record MemorystoreSettings(string Instance, string Address);

/// <summary>The Agones Helm release and the Kubernetes minor versions its release notes say it supports.</summary>
public sealed record AgonesSettings(string ChartVersion, IReadOnlyList<string> KubernetesVersions, string AllocationBatchWaitTime);

/// <summary>The Fleet's bounds and Ready buffer: the Buffer policy's, and the forecast's while it has no history.</summary>
public sealed record FleetSettings(int BufferSize, int MinReplicas, int MaxReplicas);

/// <summary>Which policy the Fleet's FleetAutoscaler uses (<c>autoscaling</c>).</summary>
public enum FleetAutoscaling
{
    /// <summary>Agones' Buffer policy: allocated + <c>fleet.bufferSize</c> at every hour.</summary>
    Buffer,

    /// <summary>A Webhook policy answered by the cruiser from the arrival history (docs/forecast.md).</summary>
    Forecast,
}

/// <summary>Gateway replicas and who may use the admin page.</summary>
public sealed record GatewaySettings(int Replicas, string AdminUsers);

/// <summary>GPU time quotas per person ("" = no limit) and whether the waiting line is ordered by fair share.</summary>
public sealed record UsageSettings(string DailyQuota, string WeeklyQuota, bool FairShare)
{
    public TimeSpan? Daily => Parse(DailyQuota);

    public TimeSpan? Weekly => Parse(WeeklyQuota);

    private static TimeSpan? Parse(string value) => value.Length == 0 ? null : TimeSpan.ParseExact(value, "c", CultureInfo.InvariantCulture);
}

/// <summary>How long a runtime may sit unused before it is given back.</summary>
public sealed record IdleSettings(string Timeout)
{
    public TimeSpan Duration => TimeSpan.ParseExact(Timeout, "c", CultureInfo.InvariantCulture);
}
