using k8s.Models;

namespace SdAgones.Manifests.Kustomize;

/// <summary>What the gateway's and the cruiser's patches share: their ServiceAccount's name and their container's probes and limits.</summary>
internal static class ServicePods
{
    public static string ServiceAccountName(string service) => "sdagones-" + service;

    /// <summary>The patch to a service's container: readiness on /health, liveness on /alive, requests and limits.</summary>
    public static V1Container Container(
        string name, (string, string) cpuRequest, (string, string) memoryRequest, (string, string) cpuLimit, (string, string) memoryLimit) => new()
    {
        Name = name,
        ReadinessProbe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = "/health", Port = "http" },
            PeriodSeconds = 10,
            TimeoutSeconds = 3,
            FailureThreshold = 3,
        },
        LivenessProbe = new V1Probe
        {
            HttpGet = new V1HTTPGetAction { Path = "/alive", Port = "http" },
            InitialDelaySeconds = 10,
            PeriodSeconds = 20,
            TimeoutSeconds = 3,
            FailureThreshold = 3,
        },
        Resources = new V1ResourceRequirements
        {
            Requests = Nodes.Quantities(cpuRequest, memoryRequest),
            Limits = Nodes.Quantities(cpuLimit, memoryLimit),
        },
    };
}
