using k8s.Models;

namespace SdAgones.Tests.Deployment;

// Typed models of the custom resources manifests/ uses, written from their documentation, independently of the
// generator: Agones' Fleet and FleetAutoscaler reference (agones.dev/site/docs/reference/fleet, .../gameserver,
// .../fleetautoscaler), GKE's BackendConfig and ManagedCertificate. Read strictly, a field these documents do not
// have fails the test, as it would be dropped (or rejected) by the cluster. Integer-or-percent fields are strings.

/// <summary>Which model reads which custom resource (apiVersion/kind).</summary>
internal static class CustomResourceModels
{
    public static readonly IReadOnlyDictionary<string, Type> Types = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["agones.dev/v1/Fleet"] = typeof(AgonesFleet),
        ["autoscaling.agones.dev/v1/FleetAutoscaler"] = typeof(AgonesFleetAutoscaler),
        ["cloud.google.com/v1/BackendConfig"] = typeof(GkeBackendConfig),
        ["networking.gke.io/v1/ManagedCertificate"] = typeof(GkeManagedCertificate),
        ["monitoring.googleapis.com/v1/PodMonitoring"] = typeof(GmpPodMonitoring),
    };
}

internal sealed record AgonesFleet
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public V1ObjectMeta? Metadata { get; set; }
    public FleetSpec? Spec { get; set; }
}

internal sealed record FleetSpec
{
    public int? Replicas { get; set; }
    public string? Scheduling { get; set; }
    public FleetStrategy? Strategy { get; set; }
    public LabelsAndAnnotations? AllocationOverflow { get; set; }
    public List<FleetPriority>? Priorities { get; set; }
    public GameServerTemplate? Template { get; set; }
}

internal sealed record FleetStrategy
{
    public string? Type { get; set; }
    public FleetRollingUpdate? RollingUpdate { get; set; }
}

internal sealed record FleetRollingUpdate
{
    public string? MaxSurge { get; set; }
    public string? MaxUnavailable { get; set; }
}

internal sealed record LabelsAndAnnotations
{
    public Dictionary<string, string>? Labels { get; set; }
    public Dictionary<string, string>? Annotations { get; set; }
}

internal sealed record FleetPriority
{
    public string? Type { get; set; }
    public string? Key { get; set; }
    public string? Order { get; set; }
}

internal sealed record GameServerTemplate
{
    public V1ObjectMeta? Metadata { get; set; }
    public GameServerSpec? Spec { get; set; }
}

internal sealed record GameServerSpec
{
    public string? Container { get; set; }
    public List<GameServerPort>? Ports { get; set; }
    public GameServerHealth? Health { get; set; }
    public SdkServer? SdkServer { get; set; }
    public GameServerEviction? Eviction { get; set; }
    public PlayersSpec? Players { get; set; }
    public Dictionary<string, CounterSpec>? Counters { get; set; }
    public Dictionary<string, ListSpec>? Lists { get; set; }
    public V1PodTemplateSpec? Template { get; set; }
}

internal sealed record GameServerPort
{
    public string? Name { get; set; }
    public string? Range { get; set; }
    public string? PortPolicy { get; set; }
    public string? Container { get; set; }
    public int? ContainerPort { get; set; }
    public int? HostPort { get; set; }
    public string? Protocol { get; set; }
}

internal sealed record GameServerHealth
{
    public bool? Disabled { get; set; }
    public int? InitialDelaySeconds { get; set; }
    public int? PeriodSeconds { get; set; }
    public int? FailureThreshold { get; set; }
}

internal sealed record SdkServer
{
    public string? LogLevel { get; set; }
    public int? GrpcPort { get; set; }
    public int? HttpPort { get; set; }
}

internal sealed record GameServerEviction
{
    public string? Safe { get; set; }
}

internal sealed record PlayersSpec
{
    public long? InitialCapacity { get; set; }
}

internal sealed record CounterSpec
{
    public long? Count { get; set; }
    public long? Capacity { get; set; }
}

internal sealed record ListSpec
{
    public long? Capacity { get; set; }
    public List<string>? Values { get; set; }
}

internal sealed record AgonesFleetAutoscaler
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public V1ObjectMeta? Metadata { get; set; }
    public FleetAutoscalerSpec? Spec { get; set; }
}

internal sealed record FleetAutoscalerSpec
{
    public string? FleetName { get; set; }
    public FleetAutoscalerPolicy? Policy { get; set; }
    public FleetAutoscalerSync? Sync { get; set; }
}

internal sealed record FleetAutoscalerPolicy
{
    public string? Type { get; set; }
    public BufferPolicy? Buffer { get; set; }
    public WebhookPolicy? Webhook { get; set; }
}

internal sealed record BufferPolicy
{
    public string? BufferSize { get; set; }
    public int? MinReplicas { get; set; }
    public int? MaxReplicas { get; set; }
}

internal sealed record WebhookPolicy
{
    public string? Url { get; set; }
    public string? CaBundle { get; set; }
    public WebhookService? Service { get; set; }
}

internal sealed record WebhookService
{
    public string? Name { get; set; }
    public string? Namespace { get; set; }
    public string? Path { get; set; }
    public int? Port { get; set; }
}

internal sealed record FleetAutoscalerSync
{
    public string? Type { get; set; }
    public FixedInterval? FixedInterval { get; set; }
}

internal sealed record FixedInterval
{
    public int? Seconds { get; set; }
}

internal sealed record GkeBackendConfig
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public V1ObjectMeta? Metadata { get; set; }
    public BackendConfigSpec? Spec { get; set; }
}

internal sealed record BackendConfigSpec
{
    public int? TimeoutSec { get; set; }
    public BackendCdn? Cdn { get; set; }
    public ConnectionDraining? ConnectionDraining { get; set; }
    public BackendHeaders? CustomRequestHeaders { get; set; }
    public BackendHeaders? CustomResponseHeaders { get; set; }
    public BackendHealthCheck? HealthCheck { get; set; }
    public BackendIap? Iap { get; set; }
    public BackendLogging? Logging { get; set; }
    public SecurityPolicy? SecurityPolicy { get; set; }
    public SessionAffinity? SessionAffinity { get; set; }
}

internal sealed record BackendCdn
{
    public bool? Enabled { get; set; }
}

internal sealed record ConnectionDraining
{
    public int? DrainingTimeoutSec { get; set; }
}

internal sealed record BackendHeaders
{
    public List<string>? Headers { get; set; }
}

internal sealed record BackendHealthCheck
{
    public int? CheckIntervalSec { get; set; }
    public int? TimeoutSec { get; set; }
    public int? HealthyThreshold { get; set; }
    public int? UnhealthyThreshold { get; set; }
    public string? Type { get; set; }
    public string? RequestPath { get; set; }
    public int? Port { get; set; }
}

internal sealed record BackendIap
{
    public bool? Enabled { get; set; }
    public OAuthClientCredentials? OauthclientCredentials { get; set; }
}

internal sealed record OAuthClientCredentials
{
    public string? SecretName { get; set; }
}

internal sealed record BackendLogging
{
    public bool? Enable { get; set; }
    public double? SampleRate { get; set; }
}

internal sealed record SecurityPolicy
{
    public string? Name { get; set; }
}

internal sealed record SessionAffinity
{
    public string? AffinityType { get; set; }
    public int? AffinityCookieTtlSec { get; set; }
}

internal sealed record GkeManagedCertificate
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public V1ObjectMeta? Metadata { get; set; }
    public ManagedCertificateSpec? Spec { get; set; }
}

internal sealed record ManagedCertificateSpec
{
    public List<string>? Domains { get; set; }
}

// Managed Service for Prometheus' PodMonitoring (cloud.google.com/stackdriver/docs/managed-prometheus/setup-managed).
internal sealed record GmpPodMonitoring
{
    public string? ApiVersion { get; set; }
    public string? Kind { get; set; }
    public V1ObjectMeta? Metadata { get; set; }
    public GmpPodMonitoringSpec? Spec { get; set; }
}

internal sealed record GmpPodMonitoringSpec
{
    public V1LabelSelector? Selector { get; set; }
    public List<GmpEndpoint>? Endpoints { get; set; }
}

internal sealed record GmpEndpoint
{
    public string? Port { get; set; }
    public string? Path { get; set; }
    public string? Interval { get; set; }
}
