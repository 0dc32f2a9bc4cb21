using k8s.Models;

namespace SdAgones.Manifests.CustomResources;

// Agones FleetAutoscaler (https://agones.dev/site/docs/reference/fleetautoscaler/). Integer-or-percent fields are strings.
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
