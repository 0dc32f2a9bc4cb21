using k8s.Models;

namespace SdAgones.Manifests.CustomResources;

// GKE ManagedCertificate (https://cloud.google.com/kubernetes-engine/docs/how-to/managed-certs).
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
