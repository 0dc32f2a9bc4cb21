using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using SdAgones.Manifests.Output;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>
/// Production telemetry on Google Cloud: an OpenTelemetry Collector in the cluster that every service (gateway,
/// cruiser, agents) sends OTLP to, exporting traces and logs to Cloud Trace and Cloud Logging and metrics to Managed
/// Service for Prometheus; a PodMonitoring so Managed Prometheus scrapes the Agones controller (Ready/Allocated per
/// Fleet); and a Cloud Monitoring dashboard and alert policies over both.
/// </summary>
internal static class Telemetry
{
    public const string Collector = "otel-collector";
    public const int OtlpGrpcPort = 4317;
    public const int OtlpHttpPort = 4318;
    public const int HealthPort = 13133;
    public const string MonitoringFolder = "monitoring";

    /// <summary>Where services send OTLP (gRPC); a full name, because the agents run beside the collector's namespace too.</summary>
    public static string CollectorEndpoint(DeploySettings settings) =>
        $"http://{Collector}.{settings.Cluster.Namespace}.svc.cluster.local:{OtlpGrpcPort}";

    public static IEnumerable<(string File, JsonNode Node)> CollectorObjects(DeploySettings settings)
    {
        yield return ("otel-collector-serviceaccount.yaml", Nodes.From(new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = "ServiceAccount",
            Metadata = Nodes.Meta(Collector, new Dictionary<string, string> { ["app"] = Collector }),
        }));
        yield return ("otel-collector-configmap.yaml", Nodes.From(new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Nodes.Meta(Collector, new Dictionary<string, string> { ["app"] = Collector }),
            Data = new Dictionary<string, string> { ["config.yaml"] = Output.YamlWriter.Write(CollectorConfig(settings)) },
        }));
        yield return ("otel-collector-deployment.yaml", Nodes.From(CollectorDeployment(settings)));
        yield return ("otel-collector-service.yaml", Nodes.From(new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Nodes.Meta(Collector, new Dictionary<string, string> { ["app"] = Collector }),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = new Dictionary<string, string> { ["app"] = Collector },
                Ports =
                [
                    new V1ServicePort { Name = "otlp-grpc", Port = OtlpGrpcPort, TargetPort = OtlpGrpcPort, Protocol = "TCP" },
                    new V1ServicePort { Name = "otlp-http", Port = OtlpHttpPort, TargetPort = OtlpHttpPort, Protocol = "TCP" },
                ],
            },
        }));
    }

    /// <summary>
    /// Receivers, processors and exporters. The exporters authenticate as the collector's Kubernetes ServiceAccount
    /// through Workload Identity; deploy/gke.sh grants it Cloud Trace agent, Monitoring metric writer and Logging
    /// log writer.
    /// </summary>
    private static JsonObject CollectorConfig(DeploySettings settings) => new()
    {
        ["receivers"] = new JsonObject
        {
            ["otlp"] = new JsonObject
            {
                ["protocols"] = new JsonObject
                {
                    ["grpc"] = new JsonObject { ["endpoint"] = $"0.0.0.0:{OtlpGrpcPort}" },
                    ["http"] = new JsonObject { ["endpoint"] = $"0.0.0.0:{OtlpHttpPort}" },
                },
            },
        },
        ["processors"] = new JsonObject
        {
            ["memory_limiter"] = new JsonObject { ["check_interval"] = "1s", ["limit_percentage"] = 80, ["spike_limit_percentage"] = 20 },
            ["resourcedetection"] = new JsonObject { ["detectors"] = Nodes.Array(["gcp"]), ["timeout"] = "10s" },
            ["resource"] = new JsonObject
            {
                ["attributes"] = new JsonArray(new JsonObject
                {
                    ["key"] = "k8s.namespace.name",
                    ["value"] = settings.Cluster.Namespace,
                    ["action"] = "upsert",
                }),
            },
            ["batch"] = new JsonObject { ["send_batch_size"] = 200, ["timeout"] = "5s" },
        },
        ["exporters"] = new JsonObject
        {
            ["googlecloud"] = new JsonObject
            {
                ["project"] = settings.Project.Id,
                ["log"] = new JsonObject { ["default_log_name"] = "sdagones" },
            },
            ["googlemanagedprometheus"] = new JsonObject { ["project"] = settings.Project.Id },
        },
        ["extensions"] = new JsonObject
        {
            ["health_check"] = new JsonObject { ["endpoint"] = $"0.0.0.0:{HealthPort}" },
        },
        ["service"] = new JsonObject
        {
            ["extensions"] = Nodes.Array(["health_check"]),
            ["pipelines"] = new JsonObject
            {
                ["traces"] = Pipeline("googlecloud"),
                ["metrics"] = Pipeline("googlemanagedprometheus"),
                ["logs"] = Pipeline("googlecloud"),
            },
        },
    };

    private static JsonObject Pipeline(string exporter) => new()
    {
        ["receivers"] = Nodes.Array(["otlp"]),
        ["processors"] = Nodes.Array(["memory_limiter", "resourcedetection", "resource", "batch"]),
        ["exporters"] = Nodes.Array([exporter]),
    };

    private static V1Deployment CollectorDeployment(DeploySettings settings)
    {
        var labels = new Dictionary<string, string> { ["app"] = Collector };
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Nodes.Meta(Collector, labels),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        ServiceAccountName = Collector,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = Collector,
                                Image = settings.Images.Collector,
                                ImagePullPolicy = "IfNotPresent",
                                Args = ["--config=/conf/config.yaml"],
                                Ports =
                                [
                                    new V1ContainerPort { Name = "otlp-grpc", ContainerPort = OtlpGrpcPort },
                                    new V1ContainerPort { Name = "otlp-http", ContainerPort = OtlpHttpPort },
                                    new V1ContainerPort { Name = "health", ContainerPort = HealthPort },
                                ],
                                ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/", Port = "health" }, PeriodSeconds = 10 },
                                LivenessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/", Port = "health" }, PeriodSeconds = 20, InitialDelaySeconds = 10 },
                                Resources = new V1ResourceRequirements
                                {
                                    Requests = Nodes.Quantities(("cpu", "100m"), ("memory", "256Mi")),
                                    Limits = Nodes.Quantities(("memory", "512Mi")),
                                },
                                VolumeMounts = [new V1VolumeMount { Name = "config", MountPath = "/conf", ReadOnlyProperty = true }],
                            },
                        ],
                        Volumes = [new V1Volume { Name = "config", ConfigMap = new V1ConfigMapVolumeSource { Name = Collector } }],
                    },
                },
            },
        };
    }

    /// <summary>
    /// manifests/monitoring/: the PodMonitoring for the Agones controller (applied in agones-system), the dashboard and the
    /// alert policies (Cloud Monitoring JSON, applied with gcloud by deploy/gke.sh). Metric names are as Managed
    /// Prometheus stores them: OpenTelemetry's dots become underscores, with the unit and <c>_total</c> suffixes.
    /// </summary>
    public static void AddMonitoring(GeneratedFiles files, DeploySettings settings)
    {
        files.AddYaml($"{MonitoringFolder}/agones-podmonitoring.yaml", AgonesPodMonitoring());
        files.AddText($"{MonitoringFolder}/dashboard.json", Json(Dashboard(settings)), withHeader: false);
        foreach (var (name, policy) in AlertPolicies(settings))
        {
            files.AddText($"{MonitoringFolder}/alert-{name}.json", Json(policy), withHeader: false);
        }
    }

    public const string QueueLength = "sdagones_queue_length";
    public const string AllocationDuration = "sdagones_allocation_duration_seconds";
    public const string Allocations = "sdagones_allocations_total";
    public const string Reclaims = "sdagones_sessions_released_total";
    public const string ForwardErrors = "sdagones_forward_errors_total";
    public const string FleetReplicas = "agones_fleets_replicas_count";

    /// <summary>How long people may wait before the "waiting" alert fires.</summary>
    public const int WaitingAlertMinutes = 10;

    private static JsonObject AgonesPodMonitoring() => new()
    {
        ["apiVersion"] = "monitoring.googleapis.com/v1",
        ["kind"] = "PodMonitoring",
        ["metadata"] = new JsonObject { ["name"] = "agones-controller", ["namespace"] = "agones-system" },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject
            {
                ["matchLabels"] = new JsonObject { ["app"] = "agones", ["agones.dev/role"] = "controller" },
            },
            ["endpoints"] = new JsonArray(new JsonObject { ["port"] = "http", ["path"] = "/metrics", ["interval"] = "30s" }),
        },
    };

    private static JsonObject Dashboard(DeploySettings settings)
    {
        var fleet = RuntimeFleet.Name;
        JsonObject Chart(string title, params (string Query, string Plot)[] series) => new()
        {
            ["title"] = title,
            ["xyChart"] = new JsonObject
            {
                ["dataSets"] = new JsonArray([.. series.Select(s => (JsonNode)new JsonObject
                {
                    ["timeSeriesQuery"] = new JsonObject { ["prometheusQuery"] = s.Query },
                    ["plotType"] = s.Plot,
                })]),
            },
        };

        JsonObject[] charts =
        [
            Chart("People waiting for a runtime", ($"max({QueueLength})", "LINE")),
            Chart("Time to allocate a runtime (p50, p95)",
                ($"histogram_quantile(0.5, sum by (le) (rate({AllocationDuration}_bucket[5m])))", "LINE"),
                ($"histogram_quantile(0.95, sum by (le) (rate({AllocationDuration}_bucket[5m])))", "LINE")),
            Chart("Runtimes Ready and Allocated",
                ($"sum by (type) ({FleetReplicas}{{name=\"{fleet}\", type=~\"ready|allocated\"}})", "STACKED_AREA")),
            Chart("Allocations by outcome", ($"sum by (outcome) (rate({Allocations}[5m]))", "STACKED_BAR")),
            Chart("Sessions released by reason (idle, gave back, admin, runtime gone, ...)", ($"sum by (reason) (rate({Reclaims}[5m]))", "STACKED_BAR")),
            Chart("Forwarding errors", ($"sum by (error) (rate({ForwardErrors}[5m]))", "STACKED_BAR")),
        ];

        return new JsonObject
        {
            ["displayName"] = $"SdAgones ({settings.Cluster.Name})",
            ["gridLayout"] = new JsonObject { ["columns"] = "2", ["widgets"] = new JsonArray([.. charts]) },
        };
    }

    private static IEnumerable<(string Name, JsonObject Policy)> AlertPolicies(DeploySettings settings)
    {
        JsonObject Policy(string name, string summary, string query, string duration) => new()
        {
            ["displayName"] = $"SdAgones ({settings.Cluster.Name}): {name}",
            ["documentation"] = new JsonObject { ["content"] = summary, ["mimeType"] = "text/markdown" },
            ["combiner"] = "OR",
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["displayName"] = name,
                ["conditionPrometheusQueryLanguage"] = new JsonObject
                {
                    ["query"] = query,
                    ["duration"] = duration,
                    ["evaluationInterval"] = "60s",
                },
            }),
            ["alertStrategy"] = new JsonObject { ["autoClose"] = "1800s" },
        };

        yield return ("people-waiting", Policy(
            "people waiting",
            $"People have waited for a runtime for more than {WaitingAlertMinutes} minutes: the fleet is at fleet.maxReplicas, "
            + "or GPU nodes cannot be created (quota, spot capacity). See the dashboard's Ready/Allocated chart and `kubectl get fleet,gameservers`.",
            $"max({QueueLength}) > 0",
            $"{WaitingAlertMinutes * 60}s"));
        yield return ("allocation-failures", Policy(
            "allocation failures",
            "Allocations fail: Agones answers UnAllocated while people wait, or the Kubernetes API is unreachable (outcome agones_unavailable). "
            + "See `kubectl describe fleet` and the gateway's logs.",
            $"sum(rate({Allocations}{{outcome=~\"UnAllocated|agones_unavailable\"}}[5m])) > 0",
            "300s"));
        yield return ("cache-unavailable", Policy(
            "cache unavailable",
            "The gateway cannot reach Memorystore (allocations end with outcome cache_unavailable). See the Memorystore instance and the gateway's logs.",
            $"sum(rate({Allocations}{{outcome=\"cache_unavailable\"}}[5m])) > 0",
            "120s"));
    }

    private static string Json(JsonNode node) =>
        node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
}
