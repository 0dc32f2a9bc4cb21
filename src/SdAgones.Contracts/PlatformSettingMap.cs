using System.Globalization;

namespace SdAgones.Contracts;

/// <summary>
/// One platform setting on its way to the services: <c>Platform:{Name}</c> in the AppHost, the service key it becomes,
/// the services that get it, and (when production takes it from deploy/settings.json) that file's key.
/// </summary>
/// <param name="Name">The property of the AppHost's <c>PlatformSettings</c> (and the key below <c>Platform:</c>).</param>
/// <param name="ServiceKey">The configuration key the services read (<see cref="SettingKeys"/>).</param>
/// <param name="Services">The services (<see cref="ServiceNames"/>) that are given it.</param>
/// <param name="DeployKey">The key in deploy/settings.json production takes it from; null when production does not carry it.</param>
/// <param name="LocalOnly">Given only on local runs (production sets it another way, or has no such service).</param>
/// <param name="IsFolder">A folder: a relative value is under the AppHost's folder.</param>
/// <param name="ServiceValues">Platform values the services name otherwise (platform value → service value); others pass as they are.</param>
public sealed record PlatformSetting(
    string Name, string ServiceKey, IReadOnlyList<string> Services, string? DeployKey = null, bool LocalOnly = false, bool IsFolder = false,
    IReadOnlyDictionary<string, string>? ServiceValues = null)
{
    /// <summary>The value the services are given for the platform's <paramref name="value"/>.</summary>
    public string ServiceValue(string value) => ServiceValues?.GetValueOrDefault(value) ?? value;

    public string PlatformKey => $"{PlatformSettingMap.Section}:{Name}";

    public string EnvironmentName => SettingKeys.EnvironmentName(ServiceKey);

    /// <summary>The AppHost's command-line switch that sets it (<c>--Platform:IdleTimeout=00:15:00</c>).</summary>
    public string Switch(string value) => $"{SettingKeys.Switch(PlatformKey)}={value}";
}

/// <summary>
/// The one map from the AppHost's <c>Platform:*</c> settings to each service's settings. The AppHost applies it to the
/// local run and to the app model it publishes; the manifests tool passes the deploy settings through it to the
/// publisher and checks the published manifest against it, so neither types a service's setting name itself.
/// </summary>
public static class PlatformSettingMap
{
    public const string Section = "Platform";

    private static readonly string[] GatewayAndCruiser = [ServiceNames.Gateway, ServiceNames.Cruiser];
    private static readonly string[] LocalAgones = [ServiceNames.LocalAgones];

    /// <summary>The idle timeout: <c>Platform:IdleTimeout</c> → <c>Idle:Timeout</c>, <c>idle.timeout</c> in deploy/settings.json
    /// (alias <see cref="SettingKeys.IdleTimeoutSeedAlias"/> in the services, for the seed).</summary>
    public static readonly PlatformSetting IdleTimeout = new("IdleTimeout", SettingKeys.IdleTimeout, GatewayAndCruiser, DeployKey: "idle.timeout");
    public static readonly PlatformSetting IdleCheckInterval = new("IdleCheckInterval", SettingKeys.IdleCheckInterval, GatewayAndCruiser);
    public static readonly PlatformSetting ReconcileInterval = new("ReconcileInterval", SettingKeys.ReconcileInterval, GatewayAndCruiser);
    /// <summary>The GPU time each person may use per UTC day; unset (empty in deploy/settings.json) for none.</summary>
    public static readonly PlatformSetting DailyQuota = new("DailyQuota", SettingKeys.UsageDailyQuota, GatewayAndCruiser, DeployKey: "usage.dailyQuota");

    /// <summary>The GPU time each person may use per ISO week; unset (empty in deploy/settings.json) for none.</summary>
    public static readonly PlatformSetting WeeklyQuota = new("WeeklyQuota", SettingKeys.UsageWeeklyQuota, GatewayAndCruiser, DeployKey: "usage.weeklyQuota");

    /// <summary>Fair share: the next free runtime goes to the waiting person who used least GPU time lately (docs/fair-share.md).</summary>
    public static readonly PlatformSetting FairShare = new("FairShare", SettingKeys.UsageFairShare, GatewayAndCruiser, DeployKey: "usage.fairShare");
    public static readonly PlatformSetting AdminUsers = new("AdminUsers", SettingKeys.AdminUsers, [ServiceNames.Gateway], DeployKey: "gateway.adminUsers");

    /// <summary>The gateway's "My files" read the shared volume; on GKE the overlay mounts the share instead.</summary>
    public static readonly PlatformSetting StorageRoot = new("StorageRoot", SettingKeys.StorageRoot, [ServiceNames.Gateway], LocalOnly: true, IsFolder: true);

    public static readonly PlatformSetting FleetBuffer = new("FleetBuffer", SettingKeys.FleetBufferSize, LocalAgones, LocalOnly: true);
    public static readonly PlatformSetting FleetMinReplicas = new("FleetMinReplicas", SettingKeys.FleetMinReplicas, LocalAgones, LocalOnly: true);
    public static readonly PlatformSetting FleetMaxReplicas = new("FleetMaxReplicas", SettingKeys.FleetMaxReplicas, LocalAgones, LocalOnly: true);
    public static readonly PlatformSetting RuntimeStartDelay = new("RuntimeStartDelay", SettingKeys.FleetStartDelay, LocalAgones, LocalOnly: true);
    public static readonly PlatformSetting FleetStorageRoot = new("StorageRoot", SettingKeys.FleetStorageRoot, LocalAgones, LocalOnly: true, IsFolder: true);

    /// <summary>
    /// <c>Platform:Autoscaling</c> = Buffer | Forecast → LocalAgones' <c>Fleet:Autoscaling</c> = Buffer | Webhook: the
    /// forecast is the cruiser's webhook (the AppHost also gives LocalAgones its URL). On GKE the overlay's FleetAutoscaler decides.
    /// </summary>
    public static readonly PlatformSetting Autoscaling = new("Autoscaling", SettingKeys.FleetAutoscaling, LocalAgones, LocalOnly: true,
        ServiceValues: new Dictionary<string, string>(StringComparer.Ordinal) { ["Forecast"] = "Webhook" });

    // The cruiser's webhook answers for the local Fleet with the Fleet's own sizes: Agones applies a Webhook answer
    // without clamping it, so the cruiser must know the maximum (on GKE the overlay fills these from fleet.*).
    private static readonly string[] Cruiser = [ServiceNames.Cruiser];
    public static readonly PlatformSetting ForecastBuffer = new("FleetBuffer", SettingKeys.ForecastBuffer, Cruiser, LocalOnly: true);
    public static readonly PlatformSetting ForecastMinReplicas = new("FleetMinReplicas", SettingKeys.ForecastMinReplicas, Cruiser, LocalOnly: true);
    public static readonly PlatformSetting ForecastMaxReplicas = new("FleetMaxReplicas", SettingKeys.ForecastMaxReplicas, Cruiser, LocalOnly: true);

    public static IReadOnlyList<PlatformSetting> All { get; } =
    [
        AdminUsers, IdleTimeout, IdleCheckInterval, ReconcileInterval, DailyQuota, WeeklyQuota, FairShare, StorageRoot,
        FleetBuffer, FleetMinReplicas, FleetMaxReplicas, RuntimeStartDelay, FleetStorageRoot, Autoscaling,
        ForecastBuffer, ForecastMinReplicas, ForecastMaxReplicas,
    ];

    /// <summary>The settings one service is given, on a local run or in the published (production) app model.</summary>
    public static IEnumerable<PlatformSetting> For(string service, bool production) =>
        All.Where(s => s.Services.Contains(service, StringComparer.Ordinal) && !(production && s.LocalOnly));

    /// <summary>The settings production takes from deploy/settings.json.</summary>
    public static IEnumerable<PlatformSetting> Deployed => All.Where(s => s.DeployKey is not null);

    /// <summary>How a value is written into a service's environment: time spans as <c>hh:mm:ss</c>, numbers invariant.</summary>
    public static string Format(object value) => value switch
    {
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
