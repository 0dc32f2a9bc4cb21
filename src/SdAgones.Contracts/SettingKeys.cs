namespace SdAgones.Contracts;

/// <summary>
/// The configuration keys one part writes and another reads: the AppHost, LocalAgones and the manifests tool set them
/// (as environment variables, see <see cref="EnvironmentName"/>, or as command-line switches); the services bind them.
/// </summary>
public static class SettingKeys
{
    // The in-pod agent's view of its pod.
    public const string WebUIUrl = "WebUI:Url";
    public const string StorageRoot = "Storage:Root";
    public const string StorageWorkspace = "Storage:Workspace";
    public const string AgentHealthInterval = "Agent:HealthInterval";
    public const string AgentHealthPeriod = "Agent:HealthPeriod";

    // The stand-in WebUI of a local runtime: A1111's flags, and the profile (its GPU) it reports (LocalAgones sets them).
    public const string WebUICommandLineArgs = "WebUI:CommandLineArgs";
    public const string WebUIProfile = "WebUI:Profile";
    public const string WebUIGpuType = "WebUI:GpuType";
    public const string WebUIGpuCount = "WebUI:GpuCount";
    public const string WebUIGpuMemoryGiB = "WebUI:GpuMemoryGiB";

    // Where gateway and cruiser find Agones.
    public const string AgonesApiServer = "Agones:ApiServer";
    public const string AgonesNamespace = "Agones:Namespace";
    public const string AgonesFleet = "Agones:Fleet";

    // Who is asking (gateway).
    public const string IdentityMode = "Identity:Mode";
    public const string IdentityIapAudience = "Identity:Iap:Audience";
    public const string IdentityIapJwksUrl = "Identity:Iap:JwksUrl";
    public const string AdminUsers = "Admin:Users";

    // When a runtime is given back (gateway and cruiser).
    public const string IdleTimeout = "Idle:Timeout";
    public const string IdleCheckInterval = "Idle:CheckInterval";
    public const string ReconcileInterval = "Reconcile:Interval";

    // GPU time quotas (gateway and cruiser).
    public const string UsageDailyQuota = "Usage:DailyQuota";
    public const string UsageWeeklyQuota = "Usage:WeeklyQuota";
    public const string UsageFairShare = "Usage:FairShare";

    /// <summary>
    /// The seed's name for the idle timeout, in whole seconds (<c>TIME_INTERVAL=900</c>): still honoured as an alias of
    /// <see cref="IdleTimeout"/> (when set, it is the one taken). Nothing in SdAgones sets it; it is read for
    /// deployments coming from the seed.
    /// </summary>
    public const string IdleTimeoutSeedAlias = "TIME_INTERVAL";

    // The cruiser's FleetAutoscaler webhook: defaults of every Fleet (Forecast:Fleets:<name>:* overrides them per Fleet).
    public const string ForecastBuffer = "Forecast:Fleet:Buffer";
    public const string ForecastMinReplicas = "Forecast:Fleet:MinReplicas";
    public const string ForecastMaxReplicas = "Forecast:Fleet:MaxReplicas";
    public const string ForecastWarmUp = "Forecast:Fleet:WarmUp";

    /// <summary>The cruiser's per-Fleet webhook settings: <c>Forecast:Fleets:&lt;fleet&gt;:Buffer</c>, …</summary>
    public static string ForecastFleet(string fleet, string key) => $"Forecast:Fleets:{fleet}:{key}";

    // LocalAgones' one Fleet.
    public const string FleetBufferSize = "Fleet:BufferSize";
    public const string FleetMinReplicas = "Fleet:MinReplicas";
    public const string FleetMaxReplicas = "Fleet:MaxReplicas";
    public const string FleetStartDelay = "Fleet:StartDelay";
    public const string FleetStorageRoot = "Fleet:StorageRoot";

    /// <summary>The Fleet's FleetAutoscaler policy in LocalAgones: <c>Buffer</c> or <c>Webhook</c>.</summary>
    public const string FleetAutoscaling = "Fleet:Autoscaling";

    /// <summary>Where LocalAgones' Webhook FleetAutoscaler posts its review.</summary>
    public const string FleetWebhookUrl = "Fleet:WebhookUrl";

    // LocalIap, Google IAP's local stand-in.
    public const string LocalIapAudience = "LocalIap:Audience";
    public const string LocalIapUpstream = "LocalIap:Upstream";

    /// <summary>The embedded cache server's port.</summary>
    public const string CachePort = "Cache:Port";

    // OpenTelemetry's own names (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/).
    public const string OtelServiceName = "OTEL_SERVICE_NAME";
    public const string OtelExporterEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// The environment variable that sets a key: .NET configuration reads <c>__</c> as the section separator
    /// (<c>WebUI:Url</c> → <c>WebUI__Url</c>); names without a section are unchanged.
    /// </summary>
    public static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The command-line switch that sets a key (<c>--WebUI:Url</c>).</summary>
    public static string Switch(string key) => "--" + key;
}
