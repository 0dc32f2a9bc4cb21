using System.Text.Json.Serialization;

namespace SdAgones.Runtimes.Agones;

/// <summary>
/// What Agones' Webhook FleetAutoscaler posts and reads back (autoscaling.agones.dev/v1 <c>FleetAutoscaleReview</c>,
/// pkg/apis/autoscaling/v1/fleetautoscaler.go in googleforgames/agones): the request carries the Fleet's status, the
/// response the replicas wanted. The same type on both sides, so the local stand-in and the webhook agree on the wire.
/// </summary>
public sealed class FleetAutoscaleReview
{
    [JsonPropertyName("request")] public FleetAutoscaleRequest? Request { get; set; }
    [JsonPropertyName("response")] public FleetAutoscaleResponse? Response { get; set; }
}

/// <summary>The Fleet being scaled: a fresh uid per round trip, its name, namespace and status.</summary>
public sealed class FleetAutoscaleRequest
{
    [JsonPropertyName("uid")] public string Uid { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("namespace")] public string Namespace { get; set; } = "";
    [JsonPropertyName("status")] public FleetStatus Status { get; set; } = new();
    [JsonPropertyName("labels")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Labels { get; set; }
    [JsonPropertyName("annotations")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>The webhook's answer: <see cref="Scale"/> false leaves the Fleet as it is; true sets it to <see cref="Replicas"/>.</summary>
public sealed class FleetAutoscaleResponse
{
    [JsonPropertyName("uid")] public string Uid { get; set; } = "";
    [JsonPropertyName("scale")] public bool Scale { get; set; }
    [JsonPropertyName("replicas")] public int Replicas { get; set; }
}
