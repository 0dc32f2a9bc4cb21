using k8s;
using SdAgones.Manifests.CustomResources;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// The Agones and GKE custom resources, read strictly into models of their documented fields, and checked for what
/// the platform depends on: GPU runtimes reachable on 7860, IAP in front with a timeout Gradio survives, a Ready
/// buffer sized from the settings, a certificate for the configured domain.
/// </summary>
public sealed class CustomResourceTests
{
    private const string Overlay = "overlays/gke";

    [Fact]
    public void Every_custom_resource_reads_strictly_into_its_documented_model()
    {
        var seen = new List<string>();
        var problems = new List<string>();
        foreach (var file in DeploymentFiles.YamlFiles())
        {
            var yaml = DeploymentFiles.ReadManifest(file);
            var (apiVersion, kind) = DeploymentFiles.Header(yaml);
            if (!CustomResourceModels.Types.TryGetValue($"{apiVersion}/{kind}", out var model))
            {
                continue;
            }

            try
            {
                ManifestObjectTests.StrictRead(yaml, model);
                seen.Add(kind);
            }
            catch (YamlDotNet.Core.YamlException ex)
            {
                problems.Add($"{file}: {ManifestObjectTests.Innermost(ex)}");
            }
        }

        Assert.True(problems.Count == 0, "Fields the documented models do not have:\n  " + string.Join("\n  ", problems));
        Assert.Equal(["BackendConfig", "Fleet", "FleetAutoscaler", "ManagedCertificate", "PodMonitoring"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_misspelled_fleet_field_is_rejected()
    {
        var yaml = DeploymentFiles.ReadManifest($"{Overlay}/fleet.yaml");
        Assert.Contains("portPolicy:", yaml, StringComparison.Ordinal);

        var error = Assert.ThrowsAny<YamlDotNet.Core.YamlException>(
            () => KubernetesYaml.Deserialize<AgonesFleet>(yaml.Replace("portPolicy:", "portpolicy:", StringComparison.Ordinal), strict: true));
        Assert.Contains("portpolicy", ManifestObjectTests.Innermost(error), StringComparison.Ordinal);
    }

    [Fact]
    public void The_fleet_runs_the_webui_and_the_agent_on_a_T4_with_the_shared_volume()
    {
        var fleet = Read<AgonesFleet>("fleet.yaml");
        Assert.Equal("sd-agones-fleet", fleet.Metadata?.Name);
        Assert.Null(fleet.Spec?.Replicas); // the FleetAutoscaler owns the count; re-applying must not reset it
        Assert.Equal("Packed", fleet.Spec?.Scheduling);

        var gameServer = fleet.Spec?.Template?.Spec;
        Assert.NotNull(gameServer);
        var port = Assert.Single(gameServer.Ports ?? []);
        Assert.Equal(("sd", "None", 7860, "TCP", "stable-diffusion-webui"), (port.Name, port.PortPolicy, port.ContainerPort ?? 0, port.Protocol, port.Container));
        Assert.Contains(gameServer.Eviction?.Safe, new[] { "OnUpgrade", "Never" });

        // The WebUI takes minutes to load models; Agones must not call the pod unhealthy before the agent pings.
        Assert.InRange(gameServer.Health?.InitialDelaySeconds ?? 5, 300, 1200);
        Assert.True((gameServer.Health?.PeriodSeconds ?? 5) * (gameServer.Health?.FailureThreshold ?? 3) >= 30,
            "A runtime should survive half a minute of missed pings (a busy GPU) before Agones calls it Unhealthy.");

        var pod = gameServer.Template?.Spec;
        Assert.NotNull(pod);
        Assert.Equal("nvidia-tesla-t4", pod.NodeSelector?["cloud.google.com/gke-accelerator"]);
        Assert.Contains(pod.Tolerations ?? [], t => t.Key == "nvidia.com/gpu" && t.Effect == "NoSchedule");
        Assert.Contains(gameServer.Container, pod.Containers.Select(c => c.Name));

        var webUi = Assert.Single(pod.Containers, c => c.Name == "stable-diffusion-webui");
        Assert.Equal("1", webUi.Resources?.Limits?["nvidia.com/gpu"]?.ToString());
        Assert.EndsWith("/sd-webui:" + DeploymentFiles.Settings().Images.Tag, webUi.Image, StringComparison.Ordinal);

        var agent = Assert.Single(pod.Containers, c => c.Name == "sdagones-agent");
        Assert.Contains(agent.Env ?? [], e => e.Name == "WebUI__Url" && e.Value == "http://127.0.0.1:7860");
        Assert.Contains(agent.Env ?? [], e => e.Name == "Storage__Root" && e.Value == "/sd_dir");
        Assert.Contains(agent.Env ?? [], e => e.Name == "Storage__Workspace" && e.Value == "/workspace");

        // The runtime pods carry the label the NetworkPolicy selects.
        Assert.Equal("sd-agones-fleet", gameServer.Template?.Metadata?.Labels?["agones.dev/fleet"]);
    }

    [Fact]
    public void With_autoscaling_Buffer_the_autoscaler_keeps_the_buffer_from_the_settings()
    {
        var settings = DeploymentFiles.Settings() with { Autoscaling = SdAgones.Manifests.Settings.FleetAutoscaling.Buffer };
        var fleet = settings.Fleet;
        var spec = SdAgones.Manifests.Kustomize.FleetAutoscalerObjects.FleetAutoscaler(settings, settings.FleetProfiles[0], cruiserPort: 8080)["spec"]!;

        Assert.Equal("sd-agones-fleet", (string?)spec["fleetName"]);
        Assert.Equal("Buffer", (string?)spec["policy"]?["type"]);
        var buffer = spec["policy"]?["buffer"];
        Assert.Equal(fleet.BufferSize, (int?)buffer?["bufferSize"]);
        Assert.Equal(fleet.MaxReplicas, (int?)buffer?["maxReplicas"]);
        Assert.Equal(fleet.MinReplicas == 0 ? null : fleet.MinReplicas, (int?)buffer?["minReplicas"]);
        Assert.Null(spec["policy"]?["webhook"]);
    }

    [Fact]
    public void With_autoscaling_Forecast_the_committed_autoscaler_asks_the_cruiser()
    {
        Assert.Equal(SdAgones.Manifests.Settings.FleetAutoscaling.Forecast, DeploymentFiles.Settings().Autoscaling);
        var autoscaler = Read<AgonesFleetAutoscaler>("fleet-autoscaler.yaml");

        Assert.Equal("sd-agones-fleet", autoscaler.Spec?.FleetName);
        Assert.Equal("Webhook", autoscaler.Spec?.Policy?.Type);
        Assert.Null(autoscaler.Spec?.Policy?.Buffer);
        Assert.Equal("cruiser", autoscaler.Spec?.Policy?.Webhook?.Service?.Name);
    }

    [Fact]
    public void The_backend_has_IAP_a_long_timeout_and_an_identity_free_health_check()
    {
        var settings = DeploymentFiles.Settings();
        var backend = Read<GkeBackendConfig>("gateway-backendconfig.yaml");

        Assert.True(backend.Spec?.Iap?.Enabled);
        if (settings.Iap.GoogleManagedClient)
        {
            Assert.Null(backend.Spec?.Iap?.OauthclientCredentials); // IAP then uses a Google-managed OAuth client
        }
        else
        {
            Assert.Equal(settings.Iap.OAuthSecretName, backend.Spec?.Iap?.OauthclientCredentials?.SecretName);
        }

        Assert.True(backend.Spec?.TimeoutSec >= 900, "Gradio's WebSocket/SSE streams need a backend timeout of at least 900 s.");
        Assert.Equal(("/healthz", 8080), (backend.Spec?.HealthCheck?.RequestPath, backend.Spec?.HealthCheck?.Port ?? 0));
    }

    [Fact]
    public void The_certificate_covers_the_configured_domain()
    {
        var certificate = Read<GkeManagedCertificate>("managed-certificate.yaml");
        Assert.Equal([DeploymentFiles.Settings().Ingress.Domain], certificate.Spec?.Domains ?? []);
    }

    private static T Read<T>(string file) =>
        KubernetesYaml.Deserialize<T>(DeploymentFiles.ReadManifest($"{Overlay}/{file}"), strict: true);
}
