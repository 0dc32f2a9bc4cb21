using k8s.Models;

namespace SdAgones.Manifests.Kustomize;

/// <summary>The cruiser's patch: its ServiceAccount, probes and limits (one replica; a lease elects the one that acts).</summary>
internal static class CruiserObjects
{
    public static V1Deployment Deployment() => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Nodes.Meta(ServiceNames.Cruiser),
        Spec = new V1DeploymentSpec
        {
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    ServiceAccountName = ServicePods.ServiceAccountName(ServiceNames.Cruiser),
                    Containers = [ServicePods.Container(ServiceNames.Cruiser, ("cpu", "100m"), ("memory", "128Mi"), ("cpu", "500m"), ("memory", "256Mi"))],
                },
            },
        },
    };
}
