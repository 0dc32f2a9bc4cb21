using System.Text.Json.Serialization;

namespace SdAgones.Cruiser.Autoscaling;

/// <summary>
/// Agones' webhook autoscaler message (autoscaling.agones.dev/v1 <c>FleetAutoscaleReview</c>, pkg/apis/autoscaling/v1/fleetautoscaler.go):
/// Agones posts it with <see cref="Request"/> set every sync interval and scales the Fleet by <see cref="Response"/>.
/// </summary>
public sealed record FleetAutoscaleReview(
    [property: JsonPropertyName("request")] FleetAutoscaleRequest? Request,
    [property: JsonPropertyName("response")] FleetAutoscaleResponse? Response);

/// <summary>The Fleet being scaled and its status as Agones saw it.</summary>
public sealed record FleetAutoscaleRequest(
    [property: JsonPropertyName("uid")] string? Uid,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("namespace")] string? Namespace,
    [property: JsonPropertyName("status")] FleetStatus? Status);

/// <summary>The Fleet status fields the answer uses (Agones' <c>FleetStatus</c>; players, counters and lists are ignored).</summary>
public sealed record FleetStatus(
    [property: JsonPropertyName("replicas")] int Replicas,
    [property: JsonPropertyName("readyReplicas")] int ReadyReplicas,
    [property: JsonPropertyName("reservedReplicas")] int ReservedReplicas,
    [property: JsonPropertyName("allocatedReplicas")] int AllocatedReplicas);

/// <summary>The answer: <see cref="Uid"/> copied from the request; with <see cref="Scale"/> false Agones keeps the Fleet's replicas.</summary>
public sealed record FleetAutoscaleResponse(
    [property: JsonPropertyName("uid")] string Uid,
    [property: JsonPropertyName("scale")] bool Scale,
    [property: JsonPropertyName("replicas")] int Replicas);
