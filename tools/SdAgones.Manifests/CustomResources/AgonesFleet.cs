using k8s.Models;

namespace SdAgones.Manifests.CustomResources;

// Agones Fleet and its GameServer template (https://agones.dev/site/docs/reference/fleet/, .../gameserver/).
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
