using k8s.Models;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>The gateway's patches and companions: replicas spread over nodes, the share's people's folders, the NEG Service, a disruption budget.</summary>
internal static class GatewayObjects
{
    private const string Gateway = ServiceNames.Gateway;

    public static V1Deployment Deployment(DeploySettings settings) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Nodes.Meta(Gateway),
        Spec = new V1DeploymentSpec
        {
            Replicas = settings.Gateway.Replicas,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    ServiceAccountName = ServicePods.ServiceAccountName(Gateway),
                    Containers =
                    [
                        // The "My files" pages serve each person's own folder, without a runtime: the gateway mounts
                        // the people's folders (never the models), as the runtimes' UID, which owns them.
                        Container(),
                    ],
                    Volumes = [StorageObjects.SharedVolumeSource()],
                    TopologySpreadConstraints =
                    [
                        new V1TopologySpreadConstraint
                        {
                            MaxSkew = 1,
                            TopologyKey = "kubernetes.io/hostname",
                            WhenUnsatisfiable = "ScheduleAnyway",
                            LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = Gateway } },
                        },
                    ],
                },
            },
        },
    };

    private static V1Container Container()
    {
        var container = ServicePods.Container(Gateway, ("cpu", "250m"), ("memory", "256Mi"), ("cpu", "1"), ("memory", "512Mi"));
        container.SecurityContext = new V1SecurityContext { RunAsUser = RuntimeFleet.RuntimeUid, RunAsGroup = RuntimeFleet.RuntimeUid, RunAsNonRoot = true };
        container.VolumeMounts = [StorageObjects.UsersMount()];
        return container;
    }

    public static V1Service Service() => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Nodes.Meta(Gateway, annotations: new Dictionary<string, string>
        {
            // Container-native load balancing: the load balancer sends to pod IPs through a NEG.
            ["cloud.google.com/neg"] = """{"ingress": true}""",
            ["cloud.google.com/backend-config"] = $$"""{"default": "{{IngressObjects.BackendConfigName}}"}""",
        }),
    };

    public static V1PodDisruptionBudget DisruptionBudget() => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Nodes.Meta(Gateway),
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = 1,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = Gateway } },
        },
    };
}
