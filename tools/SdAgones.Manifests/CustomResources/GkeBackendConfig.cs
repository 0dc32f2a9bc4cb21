using k8s.Models;

namespace SdAgones.Manifests.CustomResources;

// GKE BackendConfig (https://cloud.google.com/kubernetes-engine/docs/how-to/ingress-configuration).
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
