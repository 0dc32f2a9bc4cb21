using k8s.Models;
using SdAgones.Contracts.Profiles;
using SdAgones.Manifests.CustomResources;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>The Agones Fleets of runtimes, one per profile: its GameServer template and the pod each runtime is.</summary>
internal static class FleetObjects
{
    public const string WorkspaceVolume = "workspace";

    /// <summary>GKE's node label of a GPU node's accelerator type.</summary>
    public const string AcceleratorLabel = "cloud.google.com/gke-accelerator";

    /// <summary>GKE's node label of Spot VMs.</summary>
    public const string SpotLabel = "cloud.google.com/gke-spot";

    /// <summary>The NVIDIA device plugin's resource (and the taint GKE puts on GPU nodes).</summary>
    public const string Gpu = "nvidia.com/gpu";

    /// <summary>The label the runtimes' pods carry beside <see cref="AgonesApi.FleetLabel"/>.</summary>
    public const string RuntimeApp = "sd-runtime";

    /// <summary>
    /// One runtime = one GameServer: the agent (health pings, Ready once the WebUI answers, the person's files, busy
    /// reports) and the SD WebUI on the profile's GPU(s). What each container mounts is the isolation between people: the WebUI sees
    /// the shared models read-only and a pod-local workspace, never the people's folders; only the agent mounts
    /// <c>users/</c>, and moves the person's inputs in and outputs out. Single-use, so the workspace dies with the person's session.
    /// </summary>
    /// <remarks>
    /// Every field that differs between profiles (name, labels, accelerator, GPU count, spot, the WebUI's flags) is
    /// written from <paramref name="profile"/> alone, so nothing of one profile reaches another's Fleet
    /// (microsoft/planetary-computer-hub#66). Without profiles in the settings the one Fleet is as before (no profile label, no flags).
    /// </remarks>
    public static AgonesFleet Fleet(DeploySettings settings, RuntimeProfile profile) => new()
    {
        ApiVersion = $"{AgonesApi.Group}/{AgonesApi.Version}",
        Kind = "Fleet",
        Metadata = Labelled(Nodes.Meta(profile.FleetName), settings, profile),
        Spec = new FleetSpec
        {
            // No replicas: the FleetAutoscaler owns the count, and re-applying must not reset it.
            Scheduling = "Packed",
            Strategy = new FleetStrategy { Type = "RollingUpdate" },
            Template = new GameServerTemplate
            {
                Metadata = Labelled(new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = RuntimeApp } }, settings, profile),
                Spec = new GameServerSpec
                {
                    Container = RuntimeFleet.WebUIContainer,
                    Ports =
                    [
                        new GameServerPort
                        {
                            Name = AgonesApi.WebUIPortName,
                            PortPolicy = "None",
                            ContainerPort = RuntimeFleet.WebUIPort,
                            Protocol = "TCP",
                            Container = RuntimeFleet.WebUIContainer,
                        },
                    ],
                    Health = new GameServerHealth
                    {
                        InitialDelaySeconds = RuntimeHealth.InitialDelaySeconds,
                        PeriodSeconds = RuntimeHealth.PeriodSeconds,
                        FailureThreshold = RuntimeHealth.FailureThreshold,
                    },
                    // The agent moves outputs to Filestore as they appear, so a node upgrade may take a runtime (the
                    // person gets a fresh one); the cluster autoscaler may not, or it would pull GPUs out from under people.
                    Eviction = new GameServerEviction { Safe = "OnUpgrade" },
                    SdkServer = new SdkServer { LogLevel = "Info" },
                    Template = Pod(settings, profile),
                },
            },
        },
    };

    /// <summary><paramref name="meta"/> with the profile label when the settings have profiles.</summary>
    private static V1ObjectMeta Labelled(V1ObjectMeta meta, DeploySettings settings, RuntimeProfile profile)
    {
        if (settings.HasProfiles)
        {
            meta.Labels ??= new Dictionary<string, string>();
            meta.Labels[AgonesApi.ProfileLabel] = profile.Slug;
        }

        return meta;
    }

    private static V1PodTemplateSpec Pod(DeploySettings settings, RuntimeProfile profile)
    {
        var gpus = profile.GpuCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var nodes = new Dictionary<string, string> { [AcceleratorLabel] = profile.GpuType };
        if (profile.Spot && settings.HasProfiles)
        {
            nodes[SpotLabel] = "true";
        }

        var workspace = new V1VolumeMount { Name = WorkspaceVolume, MountPath = RuntimeFleet.Workspace };
        var runtimeUser = new V1SecurityContext
        {
            RunAsUser = RuntimeFleet.RuntimeUid,
            RunAsGroup = RuntimeFleet.RuntimeUid,
            RunAsNonRoot = true,
            AllowPrivilegeEscalation = false,
        };
        return new V1PodTemplateSpec
        {
            Metadata = Labelled(new V1ObjectMeta
            {
                Labels = new Dictionary<string, string> { [AgonesApi.FleetLabel] = profile.FleetName, ["app"] = RuntimeApp },
            }, settings, profile),
            Spec = new V1PodSpec
            {
                NodeSelector = nodes,
                Tolerations = [new V1Toleration { Key = Gpu, OperatorProperty = "Exists", Effect = "NoSchedule" }],
                // The workspace (emptyDir) is group-owned by the runtime's GID, so both containers can write it.
                SecurityContext = new V1PodSecurityContext { FsGroup = RuntimeFleet.RuntimeUid },
                Containers =
                [
                    // First: the kubelet pulls images one container at a time, so the small agent starts (and pings
                    // Agones' health check) before the WebUI's multi-GB image has finished downloading.
                    new V1Container
                    {
                        Name = RuntimeFleet.AgentContainer,
                        Image = settings.Images.Reference(RuntimeFleet.AgentContainer),
                        ImagePullPolicy = "IfNotPresent",
                        Env = AgentEnvironment(settings),
                        Resources = new V1ResourceRequirements
                        {
                            Requests = Nodes.Quantities(("cpu", "100m"), ("memory", "128Mi")),
                            Limits = Nodes.Quantities(("memory", "256Mi")),
                        },
                        SecurityContext = runtimeUser,
                        VolumeMounts = [StorageObjects.UsersMount(), workspace],
                    },
                    new V1Container
                    {
                        Name = RuntimeFleet.WebUIContainer,
                        Image = settings.Images.Reference("sd-webui"),
                        ImagePullPolicy = "IfNotPresent",
                        // A1111's launch.py appends COMMANDLINE_ARGS to the image's flags: the card's own, written even
                        // when empty so that no profile's flags can be inherited.
                        Env = settings.HasProfiles ? [Env("COMMANDLINE_ARGS", profile.WebUIFlags)] : null,
                        Resources = new V1ResourceRequirements
                        {
                            Requests = Nodes.Quantities(("cpu", "2"), ("memory", "16Gi"), (Gpu, gpus)),
                            Limits = Nodes.Quantities(("memory", "40Gi"), (Gpu, gpus)),
                        },
                        SecurityContext = runtimeUser,
                        VolumeMounts = [StorageObjects.ModelsReadOnlyMount(), workspace],
                    },
                ],
                Volumes =
                [
                    StorageObjects.SharedVolumeSource(),
                    new V1Volume { Name = WorkspaceVolume, EmptyDir = new V1EmptyDirVolumeSource() },
                ],
            },
        };
    }

    /// <summary>What the agent is told about its pod (<see cref="SettingKeys"/>; the SDK port Agones sets itself).</summary>
    private static List<V1EnvVar> AgentEnvironment(DeploySettings settings) =>
    [
        Env(SettingKeys.EnvironmentName(SettingKeys.WebUIUrl), $"http://127.0.0.1:{RuntimeFleet.WebUIPort}"),
        Env(SettingKeys.EnvironmentName(SettingKeys.StorageRoot), RuntimeFleet.StorageRoot),
        Env(SettingKeys.EnvironmentName(SettingKeys.StorageWorkspace), RuntimeFleet.Workspace),
        Env(SettingKeys.OtelExporterEndpoint, Telemetry.CollectorEndpoint(settings)),
        Env(SettingKeys.OtelServiceName, ServiceNames.Agent),
    ];

    private static V1EnvVar Env(string name, string value) => new() { Name = name, Value = value };
}
