using k8s.Models;

namespace SdAgones.Manifests.CustomResources;

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
