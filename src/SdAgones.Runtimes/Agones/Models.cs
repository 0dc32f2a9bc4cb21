using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace SdAgones.Runtimes.Agones;

/// <summary>An Agones GameServer: one runtime (a pod with the WebUI, the agent and the SDK sidecar).</summary>
public sealed class GameServer : IKubernetesObject<V1ObjectMeta>
{
    public const string KindName = "GameServer";

    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = $"{AgonesApi.Group}/{AgonesApi.Version}";
    [JsonPropertyName("kind")] public string Kind { get; set; } = KindName;
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public GameServerSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public GameServerStatus? Status { get; set; }

    [JsonIgnore] public string Name => Metadata.Name;
    [JsonIgnore] public GameServerState? State => Status?.State;

    /// <summary>The Fleet the GameServer belongs to (its <c>agones.dev/fleet</c> label), which names its profile.</summary>
    [JsonIgnore]
    public string? Fleet => Metadata.Labels is { } l && l.TryGetValue(AgonesApi.FleetLabel, out var fleet) ? fleet : null;

    /// <summary>The person this runtime is allocated to, from its annotation (null when none).</summary>
    [JsonIgnore]
    public string? AllocatedUser =>
        Metadata.Annotations is { } a && a.TryGetValue(AgonesApi.UserAnnotation, out var user) && user.Length > 0 ? user : null;
}

public sealed class GameServerList : IKubernetesObject<V1ListMeta>, IItems<GameServer>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = $"{AgonesApi.Group}/{AgonesApi.Version}";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "GameServerList";
    [JsonPropertyName("metadata")] public V1ListMeta Metadata { get; set; } = new();
    [JsonPropertyName("items")] public IList<GameServer> Items { get; set; } = [];
}

public sealed class GameServerSpec
{
    [JsonPropertyName("container")] public string? Container { get; set; }
    [JsonPropertyName("ports")] public List<GameServerPort> Ports { get; set; } = [];
    [JsonPropertyName("health")] public GameServerHealth Health { get; set; } = new();
    [JsonPropertyName("scheduling")] public string Scheduling { get; set; } = "Packed";
}

public sealed class GameServerPort
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("portPolicy")] public string PortPolicy { get; set; } = "None";
    [JsonPropertyName("containerPort")] public int ContainerPort { get; set; }
    [JsonPropertyName("hostPort")] public int? HostPort { get; set; }
    [JsonPropertyName("protocol")] public string Protocol { get; set; } = "TCP";
}

/// <summary>Health-check settings with Agones' defaults (https://agones.dev/site/docs/guides/health-checking/).</summary>
public sealed class GameServerHealth
{
    [JsonPropertyName("disabled")] public bool Disabled { get; set; }
    [JsonPropertyName("initialDelaySeconds")] public int InitialDelaySeconds { get; set; } = 5;
    [JsonPropertyName("periodSeconds")] public int PeriodSeconds { get; set; } = 5;
    [JsonPropertyName("failureThreshold")] public int FailureThreshold { get; set; } = 3;
}

public sealed class GameServerStatus
{
    [JsonPropertyName("state")] public GameServerState State { get; set; }
    [JsonPropertyName("address")] public string? Address { get; set; }
    [JsonPropertyName("addresses")] public List<GameServerAddress> Addresses { get; set; } = [];
    [JsonPropertyName("ports")] public List<GameServerStatusPort> Ports { get; set; } = [];
    [JsonPropertyName("nodeName")] public string? NodeName { get; set; }
}

public sealed class GameServerAddress
{
    public const string PodIP = "PodIP";

    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
}

public sealed class GameServerStatusPort
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
}

/// <summary>An Agones Fleet: the pool of runtimes the autoscaler keeps topped up.</summary>
public sealed class Fleet : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = $"{AgonesApi.Group}/{AgonesApi.Version}";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "Fleet";
    [JsonPropertyName("metadata")] public V1ObjectMeta Metadata { get; set; } = new();
    [JsonPropertyName("spec")] public FleetSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public FleetStatus Status { get; set; } = new();
}

public sealed class FleetList : IKubernetesObject<V1ListMeta>, IItems<Fleet>
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = $"{AgonesApi.Group}/{AgonesApi.Version}";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "FleetList";
    [JsonPropertyName("metadata")] public V1ListMeta Metadata { get; set; } = new();
    [JsonPropertyName("items")] public IList<Fleet> Items { get; set; } = [];
}

public sealed class FleetSpec
{
    [JsonPropertyName("replicas")] public int Replicas { get; set; }
    [JsonPropertyName("scheduling")] public string Scheduling { get; set; } = "Packed";
    [JsonPropertyName("template")] public GameServerTemplate Template { get; set; } = new();
}

public sealed class GameServerTemplate
{
    [JsonPropertyName("metadata")] public V1ObjectMeta? Metadata { get; set; }
    [JsonPropertyName("spec")] public GameServerSpec Spec { get; set; } = new();
}

public sealed class FleetStatus
{
    [JsonPropertyName("replicas")] public int Replicas { get; set; }
    [JsonPropertyName("readyReplicas")] public int ReadyReplicas { get; set; }
    [JsonPropertyName("reservedReplicas")] public int ReservedReplicas { get; set; }
    [JsonPropertyName("allocatedReplicas")] public int AllocatedReplicas { get; set; }
}

/// <summary>The create-only GameServerAllocation: the answer comes back in <see cref="Status"/>.</summary>
public sealed class GameServerAllocation
{
    [JsonPropertyName("apiVersion")] public string ApiVersion { get; set; } = $"{AgonesApi.AllocationGroup}/{AgonesApi.Version}";
    [JsonPropertyName("kind")] public string Kind { get; set; } = "GameServerAllocation";
    [JsonPropertyName("metadata")] public V1ObjectMeta? Metadata { get; set; }
    [JsonPropertyName("spec")] public GameServerAllocationSpec Spec { get; set; } = new();
    [JsonPropertyName("status")] public GameServerAllocationStatus? Status { get; set; }
}

public sealed class GameServerAllocationSpec
{
    [JsonPropertyName("selectors")] public List<GameServerSelector> Selectors { get; set; } = [];
    [JsonPropertyName("scheduling")] public string? Scheduling { get; set; }
    [JsonPropertyName("metadata")] public AllocationMetadata? Metadata { get; set; }
}

public sealed class GameServerSelector
{
    [JsonPropertyName("matchLabels")] public Dictionary<string, string>? MatchLabels { get; set; }
    [JsonPropertyName("gameServerState")] public GameServerState? GameServerState { get; set; }
}

public sealed class AllocationMetadata
{
    [JsonPropertyName("labels")] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; set; }
}

public static class AllocationState
{
    public const string Allocated = "Allocated";
    public const string UnAllocated = "UnAllocated";
    public const string Contention = "Contention";
}

public sealed class GameServerAllocationStatus
{
    [JsonPropertyName("state")] public string State { get; set; } = AllocationState.UnAllocated;
    [JsonPropertyName("gameServerName")] public string? GameServerName { get; set; }
    [JsonPropertyName("ports")] public List<GameServerStatusPort>? Ports { get; set; }
    [JsonPropertyName("address")] public string? Address { get; set; }
    [JsonPropertyName("addresses")] public List<GameServerAddress>? Addresses { get; set; }
    [JsonPropertyName("nodeName")] public string? NodeName { get; set; }
    [JsonPropertyName("source")] public string? Source { get; set; }
    [JsonPropertyName("metadata")] public AllocationMetadata? Metadata { get; set; }
}
