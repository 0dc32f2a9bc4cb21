using k8s.Models;

namespace SdAgones.Manifests.Kustomize;

/// <summary>Who may reach the runtimes: the gateway and the cruiser, on the WebUI's port, and nothing else.</summary>
internal static class RuntimeNetworkPolicy
{
    /// <summary>
    /// Runtimes take TCP <see cref="RuntimeFleet.WebUIPort"/> from the gateway (forwarding) and the cruiser (its busy
    /// probe falls back to the WebUI's progress API), and from nothing else. The agent reaches the WebUI over localhost,
    /// which no policy filters. With profiles, every profile's runtime pods (label <c>app: sd-runtime</c>, which all
    /// Fleets' pods carry) are covered, not only one Fleet's.
    /// </summary>
    public static V1NetworkPolicy Build(Settings.DeploySettings settings) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Nodes.Meta("sd-runtime-ingress"),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector
            {
                MatchLabels = settings.HasProfiles
                    ? new Dictionary<string, string> { ["app"] = FleetObjects.RuntimeApp }
                    : new Dictionary<string, string> { [AgonesApi.FleetLabel] = RuntimeFleet.Name },
            },
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = ServiceNames.Gateway } } },
                        new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = ServiceNames.Cruiser } } },
                    ],
                    Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = RuntimeFleet.WebUIPort }],
                },
            ],
        },
    };
}
