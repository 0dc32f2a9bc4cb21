using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using SdAgones.Manifests.CustomResources;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// In production the services' telemetry must leave the pods: every service is told to send OTLP to the collector,
/// the collector exists, listens where they send and exports to Google Cloud; the dashboard and alerts read metrics
/// the code (or Agones) actually produces.
/// </summary>
public sealed partial class TelemetryManifestTests
{
    [Fact]
    public void Every_service_sends_to_the_collector_and_the_collector_exports_to_google_cloud()
    {
        var settings = DeploymentFiles.Settings();
        var service = Read<V1Service>("overlays/gke/otel-collector-service.yaml");
        var deployment = Read<V1Deployment>("overlays/gke/otel-collector-deployment.yaml");
        var configMap = Read<V1ConfigMap>("overlays/gke/otel-collector-configmap.yaml");

        // The Service selects the collector's pods and exposes OTLP/gRPC.
        Assert.Equal(deployment.Spec.Template.Metadata.Labels["app"], service.Spec.Selector["app"]);
        var grpc = Assert.Single(service.Spec.Ports, p => p.Name == "otlp-grpc");
        var endpoint = $"http://{service.Metadata.Name}.{settings.Cluster.Namespace}.svc.cluster.local:{grpc.Port}";

        // The collector's pod mounts that ConfigMap and runs the image from the settings.
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal(settings.Images.Collector, container.Image);
        Assert.Equal(configMap.Metadata.Name, Assert.Single(deployment.Spec.Template.Spec.Volumes).ConfigMap.Name);
        Assert.Contains(container.Ports, p => p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == grpc.TargetPort.Value);

        // Its configuration receives OTLP on that port and exports each signal to Google Cloud.
        var config = KubernetesYaml.Deserialize<Dictionary<string, object>>(configMap.Data["config.yaml"]);
        var json = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(config))!;
        Assert.EndsWith($":{grpc.Port}", json["receivers"]!["otlp"]!["protocols"]!["grpc"]!["endpoint"]!.GetValue<string>(), StringComparison.Ordinal);
        var pipelines = json["service"]!["pipelines"]!;
        Assert.Equal("googlecloud", pipelines["traces"]!["exporters"]![0]!.GetValue<string>());
        Assert.Equal("googlemanagedprometheus", pipelines["metrics"]!["exporters"]![0]!.GetValue<string>());
        Assert.Equal("googlecloud", pipelines["logs"]!["exporters"]![0]!.GetValue<string>());
        foreach (var (_, pipeline) in pipelines.AsObject())
        {
            Assert.Equal("otlp", pipeline!["receivers"]![0]!.GetValue<string>());
            foreach (var exporter in pipeline["exporters"]!.AsArray())
            {
                Assert.NotNull(json["exporters"]![exporter!.GetValue<string>()]);
            }
        }

        // Gateway and cruiser (their ConfigMaps, merged by the overlay) and every agent send there.
        var kustomization = DeploymentFiles.ReadManifest("overlays/gke/kustomization.yaml");
        Assert.Equal(2, Regex.Matches(kustomization, Regex.Escape($"OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}")).Count);
        var fleet = KubernetesYaml.Deserialize<AgonesFleet>(DeploymentFiles.ReadManifest("overlays/gke/fleet.yaml"), strict: true);
        var agent = fleet.Spec!.Template!.Spec!.Template!.Spec.Containers.Single(c => c.Name == "sdagones-agent");
        Assert.Contains(agent.Env, e => e.Name == "OTEL_EXPORTER_OTLP_ENDPOINT" && e.Value == endpoint);
    }

    [Fact]
    public void The_dashboard_and_alerts_read_metrics_that_exist()
    {
        var monitoring = Path.Combine(DeploymentFiles.ManifestsPath, "monitoring");
        var dashboard = File.ReadAllText(Path.Combine(monitoring, "dashboard.json"));
        var alerts = Directory.EnumerateFiles(monitoring, "alert-*.json").Select(File.ReadAllText).ToList();
        Assert.Equal(3, alerts.Count); // people waiting, allocation failures, cache unavailable

        var instruments = Directory.EnumerateFiles(Path.Combine(DeploymentFiles.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Instrument().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);
        var used = MetricName().Matches(string.Join("\n", alerts.Append(dashboard))).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("sdagones_queue_length", used);
        foreach (var metric in used)
        {
            // Managed Prometheus' names: dots become underscores, plus the unit and counter suffixes.
            var name = Suffix().Replace(metric, "").Replace('_', '.');
            Assert.True(instruments.Any(i => i.Replace('_', '.') == name), $"The monitoring definitions use {metric}, which no instrument in src/ produces.");
        }

        // Ready/Allocated per Fleet come from the Agones controller, which Managed Prometheus scrapes.
        Assert.Contains("agones_fleets_replicas_count", dashboard, StringComparison.Ordinal);
        var podMonitoring = KubernetesYaml.Deserialize<GmpPodMonitoring>(File.ReadAllText(Path.Combine(monitoring, "agones-podmonitoring.yaml")), strict: true);
        Assert.Equal("agones-system", podMonitoring.Metadata?.NamespaceProperty);
        Assert.Equal("controller", podMonitoring.Spec?.Selector?.MatchLabels["agones.dev/role"]);
    }

    private static T Read<T>(string file) => KubernetesYaml.Deserialize<T>(DeploymentFiles.ReadManifest(file), strict: true);

    [GeneratedRegex(@"Create\w*(?:<\w+>)?\(""(sdagones\.[a-z_.]+)""")]
    private static partial Regex Instrument();

    [GeneratedRegex(@"\bsdagones_[a-z_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"(_seconds)?(_total|_bucket|_sum|_count)?$")]
    private static partial Regex Suffix();
}
