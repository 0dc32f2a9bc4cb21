using k8s;
using k8s.Models;
using SdAgones.Manifests.CustomResources;
using SdAgones.Manifests.Settings;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// <c>kubectl kustomize manifests/overlays/gke</c> is what <c>kubectl apply -k</c> sends to the cluster: it must render,
/// hold every piece the platform needs, and carry the settings into the services' configuration.
/// </summary>
public sealed class OverlayRenderTests
{
    [Fact]
    public async Task The_gke_overlay_renders_with_everything_the_platform_needs()
    {
        var objects = await RenderAsync();
        var kinds = objects.Select(o => o.Kind).ToHashSet(StringComparer.Ordinal);

        string[] required =
        [
            "Fleet", "FleetAutoscaler", "BackendConfig", "ManagedCertificate", "Ingress", "NetworkPolicy", "PersistentVolume",
            "PersistentVolumeClaim", "Role", "RoleBinding", "ServiceAccount", "PodDisruptionBudget", "Deployment", "Service", "ConfigMap",
            "Secret",
        ];
        Assert.Empty(required.Except(kinds));

        var deployments = objects.Where(o => o.Kind == "Deployment").Select(o => o.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["cruiser", "gateway", "otel-collector"], deployments);

        var backend = Strict<GkeBackendConfig>(Single(objects, "BackendConfig"));
        Assert.True(backend.Spec?.Iap?.Enabled, "The rendered BackendConfig must enable IAP.");
    }

    [Fact]
    public async Task The_webhook_FleetAutoscaler_points_at_the_cruiser_Service_of_the_same_overlay_where_the_cruiser_serves_it()
    {
        var settings = DeploymentFiles.Settings();
        Assert.Equal(FleetAutoscaling.Forecast, settings.Autoscaling); // the committed settings choose the webhook
        var objects = await RenderAsync();

        var policy = Strict<AgonesFleetAutoscaler>(Single(objects, "FleetAutoscaler")).Spec!.Policy!;
        Assert.Equal("Webhook", policy.Type);
        Assert.Null(policy.Webhook!.Url); // Agones rejects a service and a url together
        Assert.Null(policy.Webhook.CaBundle); // with a caBundle Agones calls https, which the cruiser does not serve
        var reference = policy.Webhook.Service!;

        // Agones calls http://{name}.{namespace}.svc:{port}{path} (port 8000 and namespace default when left out).
        var name = reference.Name!;
        var ns = reference.Namespace;
        var port = reference.Port ?? 8000;
        Assert.Equal(SdAgones.Cruiser.Autoscaling.FleetAutoscaleApi.Path, reference.Path);

        var service = Strict<V1Service>(Single(objects, "Service", name));
        Assert.Equal(ns, service.Metadata.NamespaceProperty);
        var servicePort = Assert.Single(service.Spec.Ports, p => p.Port == port);
        var cruiser = Strict<V1Deployment>(Single(objects, "Deployment", ServiceNames.Cruiser));
        Assert.Equal(cruiser.Spec.Selector.MatchLabels, service.Spec.Selector); // the Service reaches the cruiser's pods
        var container = Assert.Single(cruiser.Spec.Template.Spec.Containers);
        Assert.Contains(container.Ports, p => p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == servicePort.TargetPort.Value);

        // The webhook's bounds are the Fleet's, and the cruiser may watch GameServers to measure warm-ups.
        var configMaps = objects.Where(o => o.Kind == "ConfigMap").ToDictionary(o => o.Name, o => Strict<V1ConfigMap>(o), StringComparer.Ordinal);
        var config = configMaps[container.EnvFrom.Single(e => e.ConfigMapRef is not null).ConfigMapRef.Name];
        Assert.Equal(settings.Fleet.MaxReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture), config.Data["Forecast__Fleet__MaxReplicas"]);
        Assert.Equal(settings.Fleet.BufferSize.ToString(System.Globalization.CultureInfo.InvariantCulture), config.Data["Forecast__Fleet__Buffer"]);
        var role = objects.Where(o => o.Kind == "Role").Select(o => Strict<V1Role>(o)).Single(r => r.Metadata.Name == "sdagones-cruiser");
        Assert.Contains(role.Rules, r => r.Resources.Contains(AgonesApi.GameServers) && r.Verbs.Contains("watch"));
    }

    [Fact]
    public async Task The_rendered_services_get_the_settings_as_configuration()
    {
        var settings = DeploymentFiles.Settings();
        var objects = await RenderAsync();
        var configMaps = objects.Where(o => o.Kind == "ConfigMap")
            .ToDictionary(o => o.Name, o => Strict<V1ConfigMap>(o), StringComparer.Ordinal);
        var secrets = objects.Where(o => o.Kind == "Secret")
            .ToDictionary(o => o.Name, o => Strict<V1Secret>(o), StringComparer.Ordinal);

        var gateway = Strict<V1Deployment>(Single(objects, "Deployment", "gateway"));
        Assert.Equal(settings.Gateway.Replicas, gateway.Spec.Replicas);
        var pod = gateway.Spec.Template.Spec;
        Assert.Equal("sdagones-gateway", pod.ServiceAccountName);
        var container = Assert.Single(pod.Containers);
        Assert.Equal("/health", container.ReadinessProbe?.HttpGet?.Path);
        Assert.Equal("/alive", container.LivenessProbe?.HttpGet?.Path);
        Assert.NotNull(container.Resources?.Limits);

        var configName = Assert.Single(container.EnvFrom ?? [], e => e.ConfigMapRef is not null).ConfigMapRef.Name;
        Assert.True(configMaps.TryGetValue(configName, out var config), $"The gateway reads ConfigMap '{configName}', which the overlay does not render.");
        Assert.Equal(settings.Iap.Audience, config.Data["Identity__Iap__Audience"]);
        Assert.Equal("Iap", config.Data["Identity__Mode"]);
        Assert.Equal("8080", config.Data["HTTP_PORTS"]);
        Assert.False(config.Data.ContainsKey("ASPNETCORE_URLS"), "HTTP_PORTS and ASPNETCORE_URLS are both set; two port settings can disagree.");
        Assert.DoesNotContain(config.Data.Keys, k => k.Contains("secret", StringComparison.OrdinalIgnoreCase));
        AssertCacheInSecret(container, configMaps, secrets, settings.Memorystore.Address);

        var cruiser = Strict<V1Deployment>(Single(objects, "Deployment", "cruiser"));
        var cruiserContainer = Assert.Single(cruiser.Spec.Template.Spec.Containers);
        Assert.Equal("sdagones-cruiser", cruiser.Spec.Template.Spec.ServiceAccountName);
        Assert.NotNull(cruiserContainer.ReadinessProbe);
        var cruiserConfig = configMaps[cruiserContainer.EnvFrom.Single(e => e.ConfigMapRef is not null).ConfigMapRef.Name];
        AssertCacheInSecret(cruiserContainer, configMaps, secrets, settings.Memorystore.Address);
        Assert.Equal(settings.Idle.Timeout, cruiserConfig.Data["Idle__Timeout"]);

        var service = Strict<V1Service>(Single(objects, "Service", "gateway"));
        Assert.Equal("""{"ingress": true}""", service.Metadata.Annotations["cloud.google.com/neg"]);
        Assert.Contains("cloud.google.com/backend-config", service.Metadata.Annotations.Keys);

        var ingress = Strict<V1Ingress>(Single(objects, "Ingress"));
        Assert.Equal(settings.Ingress.StaticIpName, ingress.Metadata.Annotations["kubernetes.io/ingress.global-static-ip-name"]);
        Assert.Equal("gce", ingress.Metadata.Annotations["kubernetes.io/ingress.class"]);
        Assert.Equal(settings.Ingress.Domain, Assert.Single(ingress.Spec.Rules).Host);

        foreach (var namespaced in objects.Where(o => o.Kind is not ("PersistentVolume")))
        {
            Assert.True(namespaced.Namespace == settings.Cluster.Namespace,
                $"{namespaced.Kind}/{namespaced.Name} renders into namespace '{namespaced.Namespace}', not '{settings.Cluster.Namespace}'.");
        }
    }

    [Fact]
    public async Task Only_the_gateway_and_cruiser_reach_the_runtimes_and_RBAC_grants_only_what_the_Agones_client_does()
    {
        var objects = await RenderAsync();

        var policy = Strict<V1NetworkPolicy>(Single(objects, "NetworkPolicy"));
        Assert.Equal("sd-agones-fleet", policy.Spec.PodSelector.MatchLabels["agones.dev/fleet"]);
        var rule = Assert.Single(policy.Spec.Ingress);
        Assert.Equal([("TCP", "7860")], rule.Ports.Select(p => (p.Protocol, p.Port.ToString())));
        Assert.Equal(["cruiser", "gateway"], rule.FromProperty.Select(p => p.PodSelector.MatchLabels["app"]).Order(StringComparer.Ordinal));

        // Which verbs: AgonesRbacTests reads them from the code. Here: two Roles, each bound to its service's account.
        var roles = objects.Where(o => o.Kind == "Role").Select(o => Strict<V1Role>(o)).ToList();
        Assert.Equal(["sdagones-cruiser", "sdagones-gateway"], roles.Select(r => r.Metadata.Name).Order(StringComparer.Ordinal));

        var gatewayRole = roles.Single(r => r.Metadata.Name == "sdagones-gateway");
        Assert.Contains(gatewayRole.Rules, r => r.Resources.Contains("gameserverallocations") && r.Verbs.Contains("create"));
        var bindings = objects.Where(o => o.Kind == "RoleBinding").Select(o => Strict<V1RoleBinding>(o)).ToList();
        foreach (var role in roles)
        {
            Assert.Contains(bindings, b => b.RoleRef.Name == role.Metadata.Name && b.Subjects.Any(s => s.Kind == "ServiceAccount" && s.Name == role.Metadata.Name));
        }
    }

    /// <summary>
    /// The cache's connection string comes from a secret Aspire parameter, so it is in the service's
    /// <c>&lt;name&gt;-secrets</c> Secret (read through secretRef), as Aspirate lays it out, and in no ConfigMap.
    /// </summary>
    private static void AssertCacheInSecret(V1Container container, Dictionary<string, V1ConfigMap> configMaps, Dictionary<string, V1Secret> secrets, string address)
    {
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is { } map)
            {
                Assert.False(configMaps[map.Name].Data.ContainsKey("ConnectionStrings__cache"),
                    $"ConfigMap {map.Name} holds ConnectionStrings__cache, which the app model marks secret.");
            }
        }

        var secretName = Assert.Single(container.EnvFrom ?? [], e => e.SecretRef is not null).SecretRef.Name;
        Assert.StartsWith(container.Name + "-secrets-", secretName, StringComparison.Ordinal); // kustomize's hashed name of <name>-secrets
        Assert.True(secrets.TryGetValue(secretName, out var secret), $"{container.Name} reads Secret '{secretName}', which the overlay does not render.");
        Assert.Equal(address, System.Text.Encoding.UTF8.GetString(secret.Data["ConnectionStrings__cache"]));
    }

    private sealed record Rendered(string Kind, string Name, string? Namespace, string Yaml);

    private static Rendered Single(IEnumerable<Rendered> objects, string kind, string? name = null)
    {
        var matches = objects.Where(o => o.Kind == kind && (name is null || o.Name == name)).ToList();
        Assert.True(matches.Count == 1, $"Expected one {kind}{(name is null ? "" : " " + name)} in the render, found {matches.Count}.");
        return matches[0];
    }

    private static T Strict<T>(Rendered rendered) => KubernetesYaml.Deserialize<T>(rendered.Yaml, strict: true);

    private static async Task<List<Rendered>> RenderAsync()
    {
        var kubectl = DeploymentFiles.OnPath("kubectl");
        Assert.True(kubectl is not null,
            "kubectl is not on PATH, so the GKE overlay cannot be rendered. Install kubectl 1.21 or newer (it must embed kustomize v4+): "
            + "the machine image's 'kubectl' package, or Google's kubectl release; Debian bookworm's 'kubernetes-client' is kubectl 1.20 "
            + "(kustomize v2) and cannot read the overlay. Then run the tests again.");

        var (exitCode, output, error) = await DeploymentFiles.RunAsync(kubectl, ["kustomize", DeploymentFiles.OverlayPath], TimeSpan.FromMinutes(1));
        if (exitCode != 0)
        {
            var (_, version, _) = await DeploymentFiles.RunAsync(kubectl, ["version", "--client"], TimeSpan.FromSeconds(30));
            Assert.Fail($"kubectl kustomize manifests/overlays/gke failed ({exitCode}):\n{error}\n{version.Trim()}\n"
                + "The overlay uses kustomize v4+ fields (directory resources, patches); kubectl older than 1.21 embeds kustomize v2 and cannot read them.");
        }

        return output.Split("\n---\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(doc => doc.Trim().Length > 0)
            .Select(doc =>
            {
                var header = DeploymentFiles.ReadHeader(doc);
                return new Rendered(header.Kind ?? "", header.Metadata?.Name ?? "", header.Metadata?.NamespaceProperty, doc);
            })
            .ToList();
    }
}
