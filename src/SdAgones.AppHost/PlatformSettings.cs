using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using SdAgones.Contracts.Profiles;

namespace SdAgones.AppHost;

/// <summary>Which Redis-protocol server the platform uses.</summary>
public enum CacheMode
{
    /// <summary>An embedded Garnet server started as a resource: no Docker, no installed Redis.</summary>
    Garnet,

    /// <summary>An existing server named by <c>ConnectionStrings:cache</c> (Memorystore, Debian's redis-server).</summary>
    External,
}

/// <summary>Who tells the gateway who is asking, locally.</summary>
public enum PlatformIdentity
{
    /// <summary>The gateway's own development sign-in page and header.</summary>
    Development,

    /// <summary>Production's path: LocalIap plays Google IAP in front of the gateway, which checks IAP's signed token.</summary>
    Iap,
}

/// <summary>What keeps Ready runtimes waiting, locally (LocalAgones' FleetAutoscaler policy).</summary>
public enum PlatformAutoscaling
{
    /// <summary>Agones' Buffer policy: <see cref="PlatformSettings.FleetBuffer"/> Ready beyond the allocated ones.</summary>
    Buffer,

    /// <summary>A Webhook FleetAutoscaler asking the cruiser, which forecasts arrivals from the session events.</summary>
    Forecast,
}

/// <summary>
/// The local platform's settings, section <c>Platform</c>; each can be overridden from the command line
/// or the environment (<c>Platform__IdleTimeout=00:00:20</c>). Read once, checked at start-up.
/// </summary>
public sealed class PlatformSettings
{
    public const string Section = PlatformSettingMap.Section;

    /// <summary>Public port of the gateway; 0 lets the orchestrator pick one (tests).</summary>
    [Range(0, 65535)]
    public int GatewayPort { get; set; } = 8080;

    /// <summary>Port of LocalAgones (the local Kubernetes/Agones API); 0 lets the orchestrator pick one.</summary>
    [Range(0, 65535)]
    public int LocalAgonesPort { get; set; } = 8081;

    public CacheMode Cache { get; set; } = CacheMode.Garnet;

    /// <summary>Development sign-in, or IAP's signed token from LocalIap (which then takes <see cref="GatewayPort"/>).</summary>
    public PlatformIdentity Identity { get; set; } = PlatformIdentity.Development;

    /// <summary>A runtime with no traffic and no generation for this long is given back.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the cruiser looks for idle runtimes.</summary>
    public TimeSpan IdleCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the cruiser reconciles sessions with Agones.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>GPU time each person may use per UTC day (<c>Usage:DailyQuota</c> of gateway and cruiser); unset for no quota.</summary>
    public TimeSpan? DailyQuota { get; set; }

    /// <summary>GPU time each person may use per ISO week (<c>Usage:WeeklyQuota</c>); unset for no quota.</summary>
    public TimeSpan? WeeklyQuota { get; set; }

    /// <summary>Serve the waiting person who used least GPU time lately first (<c>Usage:FairShare</c>); false: first come, first served.</summary>
    public bool FairShare { get; set; }

    /// <summary>Gateway instances; more than one puts the orchestrator's proxy in front of them.</summary>
    [Range(1, 8)]
    public int GatewayReplicas { get; set; } = 1;

    /// <summary>How many Ready runtimes the fleet keeps waiting (Agones Buffer policy).</summary>
    [Range(0, 1000)]
    public int FleetBuffer { get; set; } = 1;

    [Range(0, 1000)]
    public int FleetMinReplicas { get; set; } = 1;

    [Range(1, 1000)]
    public int FleetMaxReplicas { get; set; } = 4;

    /// <summary>Buffer (a fixed number Ready) or Forecast (the cruiser's webhook warms runtimes ahead of expected arrivals).</summary>
    public PlatformAutoscaling Autoscaling { get; set; } = PlatformAutoscaling.Buffer;

    /// <summary>Extra start time per runtime, to feel a GPU node's cold start locally.</summary>
    public TimeSpan RuntimeStartDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The shared volume (Filestore on GKE); relative paths are under the AppHost's folder.</summary>
    public string StorageRoot { get; set; } = ".data/storage";

    /// <summary>Identities that may use the admin page and API (comma-separated).</summary>
    public string AdminUsers { get; set; } = "admin";

    /// <summary>
    /// The GPU profiles (<c>Platform:Profiles:N:Slug</c>, …, see <see cref="RuntimeProfile"/>), given to the gateway,
    /// the cruiser and LocalAgones as <c>Profiles__N__*</c> (<see cref="ProfileSettings"/>); empty = the one Fleet of
    /// <see cref="FleetBuffer"/>, <see cref="FleetMinReplicas"/> and <see cref="FleetMaxReplicas"/>.
    /// </summary>
    public List<RuntimeProfile> Profiles { get; set; } = [];

    /// <summary>
    /// Reads and checks the section: one line per bad key (<c>Platform:IdleTimeout = "banana" is not a time span; …</c>),
    /// empty when every setting is usable.
    /// </summary>
    public static IReadOnlyList<string> Read(IConfiguration configuration, out PlatformSettings settings)
    {
        settings = new PlatformSettings();
        var problems = SettingRules.BindEachKey(configuration.GetSection(Section), settings);
        Check(problems, nameof(Identity), settings.Identity, Enum.IsDefined(settings.Identity), $"use one of {string.Join(", ", Enum.GetNames<PlatformIdentity>())}");
        Check(problems, nameof(Autoscaling), settings.Autoscaling, Enum.IsDefined(settings.Autoscaling), $"use one of {string.Join(", ", Enum.GetNames<PlatformAutoscaling>())}");
        Check(problems, nameof(Cache), settings.Cache, Enum.IsDefined(settings.Cache), $"use one of {string.Join(", ", Enum.GetNames<CacheMode>())}");
        Check(problems, nameof(IdleTimeout), settings.IdleTimeout, settings.IdleTimeout > TimeSpan.Zero, "use a positive time span, e.g. 00:15:00");
        Check(problems, nameof(IdleCheckInterval), settings.IdleCheckInterval, settings.IdleCheckInterval > TimeSpan.Zero, "use a positive time span, e.g. 00:00:10");
        Check(problems, nameof(ReconcileInterval), settings.ReconcileInterval, settings.ReconcileInterval > TimeSpan.Zero, "use a positive time span, e.g. 00:00:30");
        Check(problems, nameof(DailyQuota), settings.DailyQuota ?? TimeSpan.MaxValue, settings.DailyQuota is not { } quota || quota > TimeSpan.Zero, "use a positive time span, e.g. 02:00:00, or leave it unset for no quota");
        Check(problems, nameof(WeeklyQuota), settings.WeeklyQuota ?? TimeSpan.MaxValue, settings.WeeklyQuota is not { } weekly || weekly > TimeSpan.Zero, "use a positive time span, e.g. 10:00:00, or leave it unset for no quota");
        Check(problems, nameof(RuntimeStartDelay), settings.RuntimeStartDelay, settings.RuntimeStartDelay >= TimeSpan.Zero, "use zero or a positive time span, e.g. 00:00:05");
        Check(problems, nameof(FleetMinReplicas), settings.FleetMinReplicas, settings.FleetMinReplicas <= settings.FleetMaxReplicas,
            $"use at most {Section}:{nameof(FleetMaxReplicas)} ({settings.FleetMaxReplicas.ToString(CultureInfo.InvariantCulture)})");
        ReadProfiles(configuration, settings, problems);
        return problems;
    }

    /// <summary>The profiles, checked as every service checks them (<see cref="ProfileCatalog.Create"/>); a problem names <c>Platform:Profiles:N:Key</c>.</summary>
    private static void ReadProfiles(IConfiguration configuration, PlatformSettings settings, List<string> problems)
    {
        try
        {
            settings.Profiles = configuration.GetSection(ProfileSettings.PlatformKey).Get<List<RuntimeProfile>>() ?? [];
            if (settings.Profiles.Count > 0)
            {
                ProfileCatalog.Create(settings.Profiles, new RuntimeProfile());
            }
        }
        catch (InvalidOperationException bad)
        {
            problems.Add($"{ProfileSettings.PlatformKey}: {bad.Message}");
        }
        catch (ProfileSettingsException bad)
        {
            problems.Add($"{Section}:{bad.Message}");
        }
    }

    /// <summary>This setting's value as a service's environment takes it (<see cref="PlatformSettingMap.Format"/>); null when unset.</summary>
    public string? ValueOf(PlatformSetting setting) =>
        typeof(PlatformSettings).GetProperty(setting.Name) is { } property
            ? property.GetValue(this) is { } value ? setting.ServiceValue(PlatformSettingMap.Format(value)) : null
            : throw new InvalidOperationException($"{setting.PlatformKey} is in the platform setting map but not a property of {nameof(PlatformSettings)}.");

    private static void Check(List<string> problems, string name, object value, bool ok, string allowed)
    {
        var key = $"{Section}:{name}";
        if (!ok && !problems.Any(p => p.StartsWith(key + " ", StringComparison.Ordinal)))
        {
            problems.Add(SettingProblem.Line(key, Convert.ToString(value is TimeSpan span ? span.ToString("c") : value, CultureInfo.InvariantCulture), $"is not allowed; {allowed}"));
        }
    }
}
