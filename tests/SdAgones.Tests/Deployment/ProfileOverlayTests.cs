using System.Text.Json.Nodes;
using k8s;
using SdAgones.Manifests;
using SdAgones.Manifests.CustomResources;
using SdAgones.Manifests.Settings;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// deploy/settings.json with two profiles — <c>t4</c> (the default, 2 GPUs, <c>--medvram</c>) and <c>l4</c> (an
/// allow-list, 1 GPU, spot) — rendered by the real <c>kubectl kustomize</c>: one Fleet and one FleetAutoscaler per
/// profile, each with only its own accelerator, GPU count, spot selector and WebUI flags, and the services told the profiles.
/// </summary>
public sealed class ProfileOverlayTests : IDisposable
{
    private readonly string output = Directory.CreateTempSubdirectory("sdagones-profiles-").FullName;

    /// <summary>The two profiles of the acceptance run, as deploy/settings.json writes them.</summary>
    public static JsonArray TwoProfiles() =>
    [
        new JsonObject
        {
            ["slug"] = "t4", ["displayName"] = "T4 (16 GB)", ["gpuType"] = "nvidia-tesla-t4", ["gpuCount"] = 2,
            ["machineType"] = "n1-standard-8", ["webUIFlags"] = "--medvram", ["buffer"] = 1, ["minReplicas"] = 0, ["maxReplicas"] = 4,
            ["default"] = true,
        },
        new JsonObject
        {
            ["slug"] = "l4", ["displayName"] = "L4 (24 GB)", ["gpuType"] = "nvidia-l4", ["gpuCount"] = 1,
            ["machineType"] = "g2-standard-8", ["spot"] = true, ["buffer"] = 1, ["minReplicas"] = 0, ["maxReplicas"] = 2,
            ["allowedUsers"] = new JsonArray("lena@example.com"),
        },
    ];

    public static DeploySettings WithTwoProfiles()
    {
        var json = JsonNode.Parse(File.ReadAllText(DeploymentFiles.SettingsPath))!;
        json["profiles"] = TwoProfiles();
        return DeploySettings.Parse(json.ToJsonString(), "settings.json");
    }

    [Fact]
    public async Task The_overlay_has_one_Fleet_and_one_FleetAutoscaler_per_profile_and_no_profiles_GPU_or_flags_in_anothers_Fleet()
    {
        ManifestGenerator.Generate(DeploymentFiles.CommittedAspireManifest(), WithTwoProfiles()).WriteTo(output);
        var objects = await RenderAsync();

        var fleets = objects.Where(o => o.Kind == "Fleet").ToDictionary(o => o.Name, StringComparer.Ordinal);
        Assert.Equal(["sd-agones-fleet-l4", "sd-agones-fleet-t4"], fleets.Keys.Order(StringComparer.Ordinal));
        var autoscalers = objects.Where(o => o.Kind == "FleetAutoscaler").Select(o => KubernetesYaml.Deserialize<AgonesFleetAutoscaler>(o.Yaml)).ToList();
        Assert.Equal(["sd-agones-fleet-l4", "sd-agones-fleet-t4"], autoscalers.Select(a => a.Spec!.FleetName).Order(StringComparer.Ordinal));

        var t4 = KubernetesYaml.Deserialize<AgonesFleet>(fleets["sd-agones-fleet-t4"].Yaml, strict: true);
        var l4 = KubernetesYaml.Deserialize<AgonesFleet>(fleets["sd-agones-fleet-l4"].Yaml, strict: true);
        foreach (var (fleet, slug, accelerator, gpus, flags, spot) in new[] { (t4, "t4", "nvidia-tesla-t4", "2", "--medvram", false), (l4, "l4", "nvidia-l4", "1", "", true) })
        {
            Assert.Equal(slug, fleet.Metadata!.Labels[AgonesApi.ProfileLabel]);
            Assert.Equal(slug, fleet.Spec!.Template!.Metadata!.Labels[AgonesApi.ProfileLabel]);
            var pod = fleet.Spec.Template.Spec!.Template!;
            Assert.Equal(fleet.Metadata.Name, pod.Metadata.Labels[AgonesApi.FleetLabel]);
            Assert.Equal(accelerator, pod.Spec.NodeSelector["cloud.google.com/gke-accelerator"]);
            Assert.Equal(spot, pod.Spec.NodeSelector.TryGetValue("cloud.google.com/gke-spot", out var s) && s == "true");
            var toleration = Assert.Single(pod.Spec.Tolerations);
            Assert.Equal(("nvidia.com/gpu", "Exists", "NoSchedule"), (toleration.Key, toleration.OperatorProperty, toleration.Effect));
            var webui = pod.Spec.Containers.Single(c => c.Name == RuntimeFleet.WebUIContainer);
            Assert.Equal(gpus, webui.Resources.Requests["nvidia.com/gpu"].ToString());
            Assert.Equal(gpus, webui.Resources.Limits["nvidia.com/gpu"].ToString());
            Assert.Equal(flags, Assert.Single(webui.Env, e => e.Name == "COMMANDLINE_ARGS").Value ?? "");
        }

        // Nothing of one profile in the other's Fleet, as text: no accelerator, flag or spot selector leaks.
        Assert.DoesNotContain("nvidia-tesla-t4", fleets["sd-agones-fleet-l4"].Yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("--medvram", fleets["sd-agones-fleet-l4"].Yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("nvidia-l4", fleets["sd-agones-fleet-t4"].Yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("gke-spot", fleets["sd-agones-fleet-t4"].Yaml, StringComparison.Ordinal);

        // The gateway and the cruiser are told the same profiles, and the default profile's Fleet.
        foreach (var service in new[] { "gateway", "cruiser" })
        {
            var config = objects.Where(o => o.Kind == "ConfigMap").Select(o => KubernetesYaml.Deserialize<k8s.Models.V1ConfigMap>(o.Yaml))
                .Single(c => c.Metadata.Name.StartsWith($"{service}-env", StringComparison.Ordinal) && c.Data.ContainsKey("Agones__Fleet"));
            Assert.Equal("sd-agones-fleet-t4", config.Data["Agones__Fleet"]);
            Assert.Equal("t4", config.Data["Profiles__0__Slug"]);
            Assert.Equal("l4", config.Data["Profiles__1__Slug"]);
            Assert.Equal("lena@example.com", config.Data["Profiles__1__AllowedUsers__0"]);
        }

        // Every profile's runtimes are behind the NetworkPolicy, not only one Fleet's.
        var policy = KubernetesYaml.Deserialize<k8s.Models.V1NetworkPolicy>(objects.Single(o => o.Kind == "NetworkPolicy").Yaml);
        Assert.Equal("sd-runtime", policy.Spec.PodSelector.MatchLabels["app"]);
        Assert.All(new[] { t4, l4 }, f => Assert.Equal("sd-runtime", f.Spec!.Template!.Spec!.Template!.Metadata.Labels["app"]));
    }

    [Fact]
    public async Task With_autoscaling_Forecast_every_profiles_FleetAutoscaler_asks_the_cruiser_which_knows_each_Fleets_bounds()
    {
        var settings = WithTwoProfiles() with { Autoscaling = FleetAutoscaling.Forecast };
        ManifestGenerator.Generate(DeploymentFiles.CommittedAspireManifest(), settings).WriteTo(output);
        var objects = await RenderAsync();

        var autoscalers = objects.Where(o => o.Kind == "FleetAutoscaler").Select(o => KubernetesYaml.Deserialize<AgonesFleetAutoscaler>(o.Yaml))
            .ToDictionary(a => a.Spec!.FleetName!, StringComparer.Ordinal);
        Assert.Equal(["sd-agones-fleet-l4", "sd-agones-fleet-t4"], autoscalers.Keys.Order(StringComparer.Ordinal));
        Assert.All(autoscalers.Values, a =>
        {
            Assert.Equal("Webhook", a.Spec!.Policy!.Type);
            Assert.Null(a.Spec.Policy.Buffer);
            Assert.Equal("cruiser", a.Spec.Policy.Webhook?.Service?.Name);
            Assert.Equal(AgonesApi.FleetAutoscaleWebhookPath, a.Spec.Policy.Webhook?.Service?.Path);
        });

        // The cruiser answers each Fleet within that Fleet's own bounds: t4 at most 4, l4 at most 2.
        var cruiser = objects.Where(o => o.Kind == "ConfigMap").Select(o => KubernetesYaml.Deserialize<k8s.Models.V1ConfigMap>(o.Yaml))
            .Single(c => c.Metadata.Name.StartsWith("cruiser-env", StringComparison.Ordinal) && c.Data.ContainsKey("Agones__Fleet"));
        Assert.Equal(("1", "0", "4"), (cruiser.Data["Forecast__Fleets__sd-agones-fleet-t4__Buffer"], cruiser.Data["Forecast__Fleets__sd-agones-fleet-t4__MinReplicas"], cruiser.Data["Forecast__Fleets__sd-agones-fleet-t4__MaxReplicas"]));
        Assert.Equal(("1", "0", "2"), (cruiser.Data["Forecast__Fleets__sd-agones-fleet-l4__Buffer"], cruiser.Data["Forecast__Fleets__sd-agones-fleet-l4__MinReplicas"], cruiser.Data["Forecast__Fleets__sd-agones-fleet-l4__MaxReplicas"]));

        // Control: with Buffer each profile's FleetAutoscaler keeps that profile's own buffer and bounds.
        var buffer = settings with { Autoscaling = FleetAutoscaling.Buffer };
        foreach (var profile in buffer.FleetProfiles)
        {
            var policy = SdAgones.Manifests.Kustomize.FleetAutoscalerObjects.FleetAutoscaler(buffer, profile, cruiserPort: 8080)["spec"]!["policy"]!;
            Assert.Equal("Buffer", (string?)policy["type"]);
            Assert.Equal((profile.Buffer, profile.MaxReplicas), ((int?)policy["buffer"]?["bufferSize"], (int?)policy["buffer"]?["maxReplicas"]));
            Assert.Null(policy["webhook"]);
        }
    }

    [Fact]
    public void A_bad_profile_in_deploy_settings_is_named_and_the_committed_settings_have_none()
    {
        Assert.Empty(DeploymentFiles.Settings().Profiles);
        Assert.Equal(["sd-agones-fleet"], DeploymentFiles.Settings().FleetProfiles.Select(p => p.FleetName));

        var json = JsonNode.Parse(File.ReadAllText(DeploymentFiles.SettingsPath))!;
        var profiles = TwoProfiles();
        profiles[1]!["gpuCount"] = 0;
        json["profiles"] = profiles;
        var bad = Assert.Throws<SettingsException>(() => DeploySettings.Parse(json.ToJsonString(), "settings.json"));
        Assert.Contains("profiles: Profiles:1:GpuCount is 0: allowed are 1 to 16 GPUs per runtime.", bad.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(output, recursive: true);

    private sealed record Rendered(string Kind, string Name, string Yaml);

    private async Task<List<Rendered>> RenderAsync()
    {
        var kubectl = DeploymentFiles.OnPath("kubectl");
        Assert.True(kubectl is not null, "kubectl is not on PATH, so the GKE overlay cannot be rendered; install kubectl 1.21 or newer.");
        var (exitCode, rendered, error) = await DeploymentFiles.RunAsync(kubectl, ["kustomize", Path.Combine(output, "overlays", "gke")], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, $"kubectl kustomize failed ({exitCode}):\n{error}");
        return rendered.Split("\n---\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(doc => doc.Trim().Length > 0)
            .Select(doc =>
            {
                var header = DeploymentFiles.ReadHeader(doc);
                return new Rendered(header.Kind ?? "", header.Metadata?.Name ?? "", doc);
            })
            .ToList();
    }
}
