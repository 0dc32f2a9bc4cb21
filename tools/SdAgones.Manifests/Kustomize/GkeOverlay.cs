using System.Text.Json.Nodes;
using k8s.Models;
using SdAgones.Manifests.Aspire;
using SdAgones.Manifests.Output;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>
/// <c>manifests/overlays/gke/</c>: what Aspirate cannot express. Gateway replicas, probes, limits, a disruption budget
/// and a ServiceAccount; IAP, the long backend timeout and the health check through a BackendConfig; the HTTPS Ingress
/// with its static IP and managed certificate; least-privilege RBAC; the Agones Fleet and its autoscaler; the Filestore
/// volume; and a NetworkPolicy that keeps everything but the gateway and cruiser away from the runtimes.
/// </summary>
internal static class GkeOverlay
{
    public const string Folder = "overlays/gke";

    /// <summary>One-time Jobs deploy/gke.sh runs after applying the overlay (not part of it: a Job's template cannot be re-applied).</summary>
    public const string JobsFolder = "jobs";
    public const string Gateway = "gateway";
    public const string Cruiser = "cruiser";
    public const string FleetName = "sd-agones-fleet";
    public const string WebUiContainer = "stable-diffusion-webui";
    public const string AgentContainer = "sdagones-agent";
    public const int WebUiPort = 7860;
    public const string DataMount = "/sd_dir";

    /// <summary>Where the WebUI finds the shared models (read-only); the share's <c>models/</c> folder.</summary>
    public const string ModelsMount = DataMount + "/models";

    /// <summary>Where the agent finds the people's folders; the share's <c>users/</c> folder. The WebUI never mounts it.</summary>
    public const string UsersMount = DataMount + "/users";

    /// <summary>The pod-local folder the WebUI writes outputs to and reads inputs from; the agent moves files between it and the person's folder.</summary>
    public const string WorkspaceMount = "/workspace";
    public const string SharedVolume = "sd-data";
    public const string WorkspaceVolume = "workspace";

    /// <summary>The UID and GID both runtime images run as (.NET's "app" user; deploy/sd-webui/Dockerfile's WEBUI_UID).</summary>
    public const int RuntimeUid = 1654;
    public const string StorageInitJob = "sd-agones-storage-init";
    public const string VolumeName = "sd-agones-filestore";
    public const string BackendConfigName = "gateway-backendconfig";
    public const string CertificateName = "sd-agones-cert";
    public const string IngressName = "sd-agones";

    /// <summary>
    /// Agones counts missed health pings from the SDK sidecar's start. The agent (listed first, so the kubelet pulls
    /// its small image before the multi-GB WebUI image) pings from its own start; the delay covers a cold node pulling
    /// images behind other pods, and a broken runtime is never Ready, so a long delay costs a GPU for minutes, not a user.
    /// </summary>
    public const int HealthInitialDelaySeconds = 600;

    public static void Add(GeneratedFiles files, IReadOnlyList<AspireProject> projects, DeploySettings settings)
    {
        var names = projects.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var required in new[] { Gateway, Cruiser })
        {
            if (!names.Contains(required))
            {
                throw new AspireManifestException($"The Aspire manifest has no project '{required}'; the GKE overlay patches it.");
            }
        }

        var ns = settings.Cluster.Namespace;
        var resources = new List<string>();
        var patches = new List<string>();

        void Resource(string file, JsonNode node)
        {
            files.AddYaml($"{Folder}/{file}", node);
            resources.Add(file);
        }

        void Patch(string file, JsonNode node)
        {
            files.AddYaml($"{Folder}/{file}", node);
            patches.Add(file);
        }

        // Gateway: the front door, behind IAP.
        Patch("gateway-deployment.patch.yaml", Nodes.From(GatewayDeployment(settings)));
        Patch("gateway-service.patch.yaml", Nodes.From(GatewayService()));
        Resource("gateway-serviceaccount.yaml", Nodes.From(ServiceAccount(Gateway)));
        Resource("gateway-role.yaml", Nodes.From(AgonesRole(Gateway, ["delete", "get", "list", "watch"], allocates: true)));
        Resource("gateway-rolebinding.yaml", Nodes.From(RoleBinding(Gateway, ns)));
        Resource("gateway-pdb.yaml", Nodes.From(GatewayDisruptionBudget()));
        Resource("gateway-backendconfig.yaml", BackendConfig(settings));
        Resource("ingress.yaml", Nodes.From(Ingress(settings)));
        Resource("managed-certificate.yaml", ManagedCertificate(settings));

        // Cruiser: idle reclaim and reconciliation.
        Patch("cruiser-deployment.patch.yaml", Nodes.From(CruiserDeployment()));
        Resource("cruiser-serviceaccount.yaml", Nodes.From(ServiceAccount(Cruiser)));
        Resource("cruiser-role.yaml", Nodes.From(AgonesRole(Cruiser, ["delete", "get", "list"], allocates: false)));
        Resource("cruiser-rolebinding.yaml", Nodes.From(RoleBinding(Cruiser, ns)));

        // Runtimes: the Agones fleet on the T4 pool, its shared volume and who may reach it.
        Resource("fleet.yaml", Fleet(settings));
        Resource("fleet-autoscaler.yaml", FleetAutoscaler(settings));
        Resource("filestore-pv.yaml", Nodes.From(FilestoreVolume(settings)));
        Resource("filestore-pvc.yaml", Nodes.From(FilestoreClaim(settings)));
        Resource("runtime-networkpolicy.yaml", Nodes.From(RuntimeNetworkPolicy()));

        // Telemetry: the OpenTelemetry Collector every service exports to.
        foreach (var (file, node) in Telemetry.CollectorObjects(settings))
        {
            Resource(file, node);
        }

        // Applied once by deploy/gke.sh, outside the overlay: the share's layout and ownership; monitoring in Google Cloud.
        files.AddYaml($"{JobsFolder}/storage-init.yaml", Nodes.From(StorageInit(settings)));
        Telemetry.AddMonitoring(files, settings);

        var agones = new Dictionary<string, string>
        {
            ["Agones__Namespace"] = ns,
            ["Agones__Fleet"] = FleetName,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Telemetry.CollectorEndpoint(settings),
        };
        var cruiserConfig = new Dictionary<string, string>(agones) { ["OTEL_SERVICE_NAME"] = Cruiser };
        var gatewayConfig = new Dictionary<string, string>(agones)
        {
            ["Identity__Iap__Audience"] = settings.Iap.Audience,
            ["OTEL_SERVICE_NAME"] = Gateway,
            ["Storage__Root"] = DataMount,
        };

        files.AddYaml($"{Folder}/kustomization.yaml", Nodes.Kustomization(
            ("namespace", ns),
            ("resources", Nodes.Array(resources.Order(StringComparer.Ordinal).Prepend("../../base"))),
            ("patches", Nodes.Array(patches.Order(StringComparer.Ordinal).Select(p => (JsonNode)new JsonObject { ["path"] = p }))),
            ("configMapGenerator", Nodes.Array(
            [
                Nodes.ConfigMap(AspirateBase.EnvConfigMap(Cruiser), cruiserConfig, behavior: "merge"),
                Nodes.ConfigMap(AspirateBase.EnvConfigMap(Gateway), gatewayConfig, behavior: "merge"),
            ]))));
    }

    private static string ServiceAccountName(string service) => "sdagones-" + service;

    private static V1Deployment GatewayDeployment(DeploySettings settings) => new()
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
                    ServiceAccountName = ServiceAccountName(Gateway),
                    Containers =
                    [
                        // The "My files" pages serve each person's own folder, without a runtime: the gateway mounts
                        // the people's folders (never the models), as the runtimes' UID, which owns them.
                        GatewayContainer(),
                    ],
                    Volumes =
                    [
                        new V1Volume { Name = SharedVolume, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = VolumeName } },
                    ],
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

    private static V1Container GatewayContainer()
    {
        var container = ServiceContainer(Gateway, ("cpu", "250m"), ("memory", "256Mi"), ("cpu", "1"), ("memory", "512Mi"));
        container.SecurityContext = new V1SecurityContext { RunAsUser = RuntimeUid, RunAsGroup = RuntimeUid, RunAsNonRoot = true };
        container.VolumeMounts = [new V1VolumeMount { Name = SharedVolume, MountPath = UsersMount, SubPath = "users" }];
        return container;
    }

    private static V1Deployment CruiserDeployment() => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Nodes.Meta(Cruiser),
        Spec = new V1DeploymentSpec
        {
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    ServiceAccountName = ServiceAccountName(Cruiser),
                    Containers = [ServiceContainer(Cruiser, ("cpu", "100m"), ("memory", "128Mi"), ("cpu", "500m"), ("memory", "256Mi"))],
                },
            },
        },
    };

    /// <summary>The patch to a service's container: readiness on /health, liveness on /alive, requests and limits.</summary>
    private static V1Container ServiceContainer(
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

    private static V1Service GatewayService() => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Nodes.Meta(Gateway, annotations: new Dictionary<string, string>
        {
            // Container-native load balancing: the load balancer sends to pod IPs through a NEG.
            ["cloud.google.com/neg"] = """{"ingress": true}""",
            ["cloud.google.com/backend-config"] = $$"""{"default": "{{BackendConfigName}}"}""",
        }),
    };

    private static V1ServiceAccount ServiceAccount(string service) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = Nodes.Meta(ServiceAccountName(service), new Dictionary<string, string> { ["app"] = service }),
    };

    /// <summary>
    /// Only what the service's code asks of AgonesClient: the gateway gets, lists, watches (GameServerWatcher) and
    /// deletes GameServers and creates allocations; the cruiser gets, lists and deletes GameServers.
    /// </summary>
    private static V1Role AgonesRole(string service, IList<string> gameServerVerbs, bool allocates)
    {
        var rules = new List<V1PolicyRule>
        {
            new() { ApiGroups = ["agones.dev"], Resources = ["gameservers"], Verbs = gameServerVerbs },
        };
        if (allocates)
        {
            rules.Add(new V1PolicyRule { ApiGroups = ["allocation.agones.dev"], Resources = ["gameserverallocations"], Verbs = ["create"] });
        }

        return new V1Role
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "Role",
            Metadata = Nodes.Meta(ServiceAccountName(service)),
            Rules = rules,
        };
    }

    private static V1RoleBinding RoleBinding(string service, string ns) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "RoleBinding",
        Metadata = Nodes.Meta(ServiceAccountName(service)),
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = ServiceAccountName(service) },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = ServiceAccountName(service), NamespaceProperty = ns }],
    };

    private static V1PodDisruptionBudget GatewayDisruptionBudget() => new()
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

    /// <summary>
    /// IAP on the gateway's backend service; a one-hour timeout so Gradio's WebSocket/SSE streams and large uploads
    /// are not cut at the load balancer's 30 s default; the health check on /healthz, which needs no identity.
    /// </summary>
    private static JsonObject BackendConfig(DeploySettings settings) => new()
    {
        ["apiVersion"] = "cloud.google.com/v1",
        ["kind"] = "BackendConfig",
        ["metadata"] = new JsonObject { ["name"] = BackendConfigName },
        ["spec"] = new JsonObject
        {
            ["timeoutSec"] = 3600,
            ["connectionDraining"] = new JsonObject { ["drainingTimeoutSec"] = 60 },
            ["healthCheck"] = new JsonObject
            {
                ["type"] = "HTTP",
                ["requestPath"] = "/healthz",
                ["port"] = 8080,
                ["checkIntervalSec"] = 10,
                ["timeoutSec"] = 5,
                ["healthyThreshold"] = 1,
                ["unhealthyThreshold"] = 3,
            },
            // Without oauthclientCredentials IAP uses a Google-managed OAuth client
            // (https://cloud.google.com/iap/docs/enabling-gke-howto).
            ["iap"] = settings.Iap.GoogleManagedClient
                ? new JsonObject { ["enabled"] = true }
                : new JsonObject
                {
                    ["enabled"] = true,
                    ["oauthclientCredentials"] = new JsonObject { ["secretName"] = settings.Iap.OAuthSecretName },
                },
        },
    };

    private static V1Ingress Ingress(DeploySettings settings) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = Nodes.Meta(IngressName, annotations: new Dictionary<string, string>
        {
            ["kubernetes.io/ingress.class"] = "gce",
            ["kubernetes.io/ingress.global-static-ip-name"] = settings.Ingress.StaticIpName,
            ["networking.gke.io/managed-certificates"] = CertificateName,
        }),
        Spec = new V1IngressSpec
        {
            Rules =
            [
                new V1IngressRule
                {
                    Host = settings.Ingress.Domain,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths =
                        [
                            new V1HTTPIngressPath
                            {
                                Path = "/",
                                PathType = "Prefix",
                                Backend = new V1IngressBackend
                                {
                                    Service = new V1IngressServiceBackend { Name = Gateway, Port = new V1ServiceBackendPort { Number = 8080 } },
                                },
                            },
                        ],
                    },
                },
            ],
        },
    };

    private static JsonObject ManagedCertificate(DeploySettings settings) => new()
    {
        ["apiVersion"] = "networking.gke.io/v1",
        ["kind"] = "ManagedCertificate",
        ["metadata"] = new JsonObject { ["name"] = CertificateName },
        ["spec"] = new JsonObject { ["domains"] = Nodes.Array([settings.Ingress.Domain]) },
    };

    /// <summary>
    /// One runtime = one GameServer: the agent (health pings, Ready once the WebUI answers, the person's files, busy
    /// reports) and the SD WebUI on one T4. What each container mounts is the isolation between people: the WebUI sees
    /// the shared models read-only and a pod-local workspace, never the people's folders; only the agent mounts
    /// <c>users/</c>, and moves the person's inputs in and outputs out. Single-use, so the workspace dies with the person's session.
    /// </summary>
    private static JsonObject Fleet(DeploySettings settings)
    {
        var workspace = new V1VolumeMount { Name = WorkspaceVolume, MountPath = WorkspaceMount };
        var runtimeUser = new V1SecurityContext
        {
            RunAsUser = RuntimeUid,
            RunAsGroup = RuntimeUid,
            RunAsNonRoot = true,
            AllowPrivilegeEscalation = false,
        };
        var pod = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta
            {
                Labels = new Dictionary<string, string> { ["agones.dev/fleet"] = FleetName, ["app"] = "sd-runtime" },
            },
            Spec = new V1PodSpec
            {
                NodeSelector = new Dictionary<string, string> { ["cloud.google.com/gke-accelerator"] = "nvidia-tesla-t4" },
                Tolerations = [new V1Toleration { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }],
                // The workspace (emptyDir) is group-owned by the runtime's GID, so both containers can write it.
                SecurityContext = new V1PodSecurityContext { FsGroup = RuntimeUid },
                Containers =
                [
                    // First: the kubelet pulls images one container at a time, so the small agent starts (and pings
                    // Agones' health check) before the WebUI's multi-GB image has finished downloading.
                    new V1Container
                    {
                        Name = AgentContainer,
                        Image = settings.Images.Reference(AgentContainer),
                        ImagePullPolicy = "IfNotPresent",
                        Env =
                        [
                            new V1EnvVar { Name = "WebUI__Url", Value = $"http://127.0.0.1:{WebUiPort}" },
                            new V1EnvVar { Name = "Storage__Root", Value = DataMount },
                            new V1EnvVar { Name = "Storage__Workspace", Value = WorkspaceMount },
                            new V1EnvVar { Name = "OTEL_EXPORTER_OTLP_ENDPOINT", Value = Telemetry.CollectorEndpoint(settings) },
                            new V1EnvVar { Name = "OTEL_SERVICE_NAME", Value = "agent" },
                        ],
                        Resources = new V1ResourceRequirements
                        {
                            Requests = Nodes.Quantities(("cpu", "100m"), ("memory", "128Mi")),
                            Limits = Nodes.Quantities(("memory", "256Mi")),
                        },
                        SecurityContext = runtimeUser,
                        VolumeMounts =
                        [
                            new V1VolumeMount { Name = SharedVolume, MountPath = UsersMount, SubPath = "users" },
                            workspace,
                        ],
                    },
                    new V1Container
                    {
                        Name = WebUiContainer,
                        Image = settings.Images.Reference("sd-webui"),
                        ImagePullPolicy = "IfNotPresent",
                        Resources = new V1ResourceRequirements
                        {
                            Requests = Nodes.Quantities(("cpu", "2"), ("memory", "16Gi"), ("nvidia.com/gpu", "1")),
                            Limits = Nodes.Quantities(("memory", "40Gi"), ("nvidia.com/gpu", "1")),
                        },
                        SecurityContext = runtimeUser,
                        VolumeMounts =
                        [
                            new V1VolumeMount { Name = SharedVolume, MountPath = ModelsMount, SubPath = "models", ReadOnlyProperty = true },
                            workspace,
                        ],
                    },
                ],
                Volumes =
                [
                    new V1Volume
                    {
                        Name = SharedVolume,
                        PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = VolumeName },
                    },
                    new V1Volume { Name = WorkspaceVolume, EmptyDir = new V1EmptyDirVolumeSource() },
                ],
            },
        };

        return new JsonObject
        {
            ["apiVersion"] = "agones.dev/v1",
            ["kind"] = "Fleet",
            ["metadata"] = new JsonObject { ["name"] = FleetName },
            ["spec"] = new JsonObject
            {
                // No replicas: the FleetAutoscaler owns the count, and re-applying must not reset it.
                ["scheduling"] = "Packed",
                ["strategy"] = new JsonObject { ["type"] = "RollingUpdate" },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "sd-runtime" } },
                    ["spec"] = new JsonObject
                    {
                        ["container"] = WebUiContainer,
                        ["ports"] = Nodes.Array(
                        [
                            new JsonObject
                            {
                                ["name"] = "sd",
                                ["portPolicy"] = "None",
                                ["containerPort"] = WebUiPort,
                                ["protocol"] = "TCP",
                                ["container"] = WebUiContainer,
                            },
                        ]),
                        ["health"] = new JsonObject
                        {
                            ["initialDelaySeconds"] = HealthInitialDelaySeconds,
                            ["periodSeconds"] = 10,
                            ["failureThreshold"] = 6,
                        },
                        // The agent moves outputs to Filestore as they appear, so a node upgrade may take a runtime (the
                        // person gets a fresh one); the cluster autoscaler may not, or it would pull GPUs out from under people.
                        ["eviction"] = new JsonObject { ["safe"] = "OnUpgrade" },
                        ["sdkServer"] = new JsonObject { ["logLevel"] = "Info" },
                        ["template"] = Nodes.From(pod),
                    },
                },
            },
        };
    }

    private static JsonObject FleetAutoscaler(DeploySettings settings)
    {
        var buffer = new JsonObject
        {
            ["bufferSize"] = settings.Fleet.BufferSize,
            ["maxReplicas"] = settings.Fleet.MaxReplicas,
        };
        if (settings.Fleet.MinReplicas > 0)
        {
            buffer["minReplicas"] = settings.Fleet.MinReplicas;
        }

        return new JsonObject
        {
            ["apiVersion"] = "autoscaling.agones.dev/v1",
            ["kind"] = "FleetAutoscaler",
            ["metadata"] = new JsonObject { ["name"] = FleetName + "-autoscaler" },
            ["spec"] = new JsonObject
            {
                ["fleetName"] = FleetName,
                ["policy"] = new JsonObject { ["type"] = "Buffer", ["buffer"] = buffer },
                ["sync"] = new JsonObject { ["type"] = "FixedInterval", ["fixedInterval"] = new JsonObject { ["seconds"] = 10 } },
            },
        };
    }

    private static V1PersistentVolume FilestoreVolume(DeploySettings settings) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolume",
        Metadata = Nodes.Meta(VolumeName),
        Spec = new V1PersistentVolumeSpec
        {
            Capacity = Nodes.Quantities(("storage", settings.Filestore.Capacity)),
            AccessModes = ["ReadWriteMany"],
            Nfs = new V1NFSVolumeSource { Server = settings.Filestore.Ip, Path = "/" + settings.Filestore.Share },
            PersistentVolumeReclaimPolicy = "Retain",
            StorageClassName = "",
            VolumeMode = "Filesystem",
            ClaimRef = new V1ObjectReference { Kind = "PersistentVolumeClaim", Name = VolumeName, NamespaceProperty = settings.Cluster.Namespace },
        },
    };

    private static V1PersistentVolumeClaim FilestoreClaim(DeploySettings settings) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = Nodes.Meta(VolumeName),
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteMany"],
            StorageClassName = "",
            VolumeName = VolumeName,
            Resources = new V1VolumeResourceRequirements { Requests = Nodes.Quantities(("storage", settings.Filestore.Capacity)) },
        },
    };

    /// <summary>
    /// The share's layout and ownership, which NFS does not take from <c>fsGroup</c>: <c>models/</c> owned by root and
    /// only readable by the runtimes (the WebUI mounts it read-only as well); <c>users/</c> owned by the runtimes' UID
    /// and closed to everyone else, so the agent (and the gateway's file pages) can create <c>users/&lt;label&gt;/</c>.
    /// Runs as root once per deploy, from the agent image (it has a shell and coreutils).
    /// </summary>
    private static V1Job StorageInit(DeploySettings settings) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = new V1ObjectMeta { Name = StorageInitJob, NamespaceProperty = settings.Cluster.Namespace },
        Spec = new V1JobSpec
        {
            BackoffLimit = 2,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "storage-init",
                            Image = settings.Images.Reference(AgentContainer),
                            Command = ["/bin/sh", "-c", StorageInitScript],
                            SecurityContext = new V1SecurityContext { RunAsUser = 0, RunAsGroup = 0, RunAsNonRoot = false },
                            VolumeMounts = [new V1VolumeMount { Name = SharedVolume, MountPath = "/share" }],
                        },
                    ],
                    Volumes =
                    [
                        new V1Volume { Name = SharedVolume, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = VolumeName } },
                    ],
                },
            },
        },
    };

    /// <summary>The commands of <see cref="StorageInit"/>: idempotent, so every deploy may run them again.</summary>
    public static readonly string StorageInitScript = string.Join(" && ",
        "set -eu",
        "mkdir -p /share/models /share/users",
        "chown 0:0 /share/models",
        "chmod 0755 /share/models",
        $"chown {RuntimeUid}:{RuntimeUid} /share/users",
        "chmod 0700 /share/users",
        "ls -ln /share");

    /// <summary>
    /// Runtimes take TCP 7860 from the gateway (forwarding) and the cruiser (its busy probe falls back to the WebUI's
    /// progress API), and from nothing else. The agent reaches the WebUI over localhost, which no policy filters.
    /// </summary>
    private static V1NetworkPolicy RuntimeNetworkPolicy() => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Nodes.Meta("sd-runtime-ingress"),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["agones.dev/fleet"] = FleetName } },
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = Gateway } } },
                        new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = Cruiser } } },
                    ],
                    Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = WebUiPort }],
                },
            ],
        },
    };
}
