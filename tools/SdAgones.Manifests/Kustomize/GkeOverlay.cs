using System.Text.Json.Nodes;
using SdAgones.Manifests.Aspire;
using SdAgones.Manifests.Output;
using SdAgones.Contracts.Profiles;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>
/// <c>manifests/overlays/gke/</c>: what Aspirate cannot express. Gateway replicas, probes, limits, a disruption budget
/// and a ServiceAccount; IAP, the long backend timeout and the health check through a BackendConfig; the HTTPS Ingress
/// with its static IP and managed certificate; least-privilege RBAC; the Agones Fleet and its autoscaler; the Filestore
/// volume; and a NetworkPolicy that keeps everything but the gateway and cruiser away from the runtimes. Each family of
/// objects is built in its own file; this one lists them and writes the kustomization.
/// </summary>
internal static class GkeOverlay
{
    public const string Folder = "overlays/gke";

    /// <summary>One-time Jobs deploy/gke.sh runs after applying the overlay (not part of it: a Job's template cannot be re-applied).</summary>
    public const string JobsFolder = "jobs";
    public const string Gateway = ServiceNames.Gateway;
    public const string Cruiser = ServiceNames.Cruiser;
    public const string FleetName = RuntimeFleet.Name;

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
        Patch("gateway-deployment.patch.yaml", Nodes.From(GatewayObjects.Deployment(settings)));
        Patch("gateway-service.patch.yaml", Nodes.From(GatewayObjects.Service()));
        Resource("gateway-serviceaccount.yaml", Nodes.From(AgonesRbac.ServiceAccount(Gateway)));
        Resource("gateway-role.yaml", Nodes.From(AgonesRbac.Role(Gateway, ["delete", "get", "list", "watch"], allocates: true)));
        Resource("gateway-rolebinding.yaml", Nodes.From(AgonesRbac.RoleBinding(Gateway, ns)));
        Resource("gateway-pdb.yaml", Nodes.From(GatewayObjects.DisruptionBudget()));
        Resource("gateway-backendconfig.yaml", Nodes.From(IngressObjects.BackendConfig(settings)));
        Resource("ingress.yaml", Nodes.From(IngressObjects.Ingress(settings)));
        Resource("managed-certificate.yaml", Nodes.From(IngressObjects.ManagedCertificate(settings)));

        // Cruiser: idle reclaim and reconciliation.
        Patch("cruiser-deployment.patch.yaml", Nodes.From(CruiserObjects.Deployment()));
        Resource("cruiser-serviceaccount.yaml", Nodes.From(AgonesRbac.ServiceAccount(Cruiser)));
        Resource("cruiser-role.yaml", Nodes.From(AgonesRbac.Role(Cruiser, ["delete", "get", "list", "watch"], allocates: false)));
        Resource("cruiser-rolebinding.yaml", Nodes.From(AgonesRbac.RoleBinding(Cruiser, ns)));

        // Runtimes: the Agones fleet on the T4 pool, its shared volume and who may reach it.
        // One Fleet and one FleetAutoscaler per profile (fleet.yaml and fleet-autoscaler.yaml when there are none).
        var cruiserPort = projects.Single(p => p.Name == Cruiser).HttpPort;
        foreach (var profile in settings.FleetProfiles)
        {
            var suffix = settings.HasProfiles ? "-" + profile.Slug : "";
            Resource($"fleet{suffix}.yaml", Nodes.From(FleetObjects.Fleet(settings, profile)));
            Resource($"fleet-autoscaler{suffix}.yaml", FleetAutoscalerObjects.FleetAutoscaler(settings, profile, cruiserPort));
        }

        Resource("filestore-pv.yaml", Nodes.From(StorageObjects.FilestoreVolume(settings)));
        Resource("filestore-pvc.yaml", Nodes.From(StorageObjects.FilestoreClaim(settings)));
        Resource("runtime-networkpolicy.yaml", Nodes.From(RuntimeNetworkPolicy.Build(settings)));

        // Telemetry: the OpenTelemetry Collector every service exports to.
        foreach (var (file, node) in Telemetry.CollectorObjects(settings))
        {
            Resource(file, node);
        }

        // Applied once by deploy/gke.sh, outside the overlay: the share's layout and ownership; monitoring in Google Cloud.
        files.AddYaml($"{JobsFolder}/storage-init.yaml", Nodes.From(StorageObjects.StorageInit(settings)));
        Telemetry.AddMonitoring(files, settings);

        files.AddYaml($"{Folder}/kustomization.yaml", Nodes.Kustomization(
            ("namespace", ns),
            ("resources", Nodes.Array(resources.Order(StringComparer.Ordinal).Prepend("../../base"))),
            ("patches", Nodes.Array(patches.Order(StringComparer.Ordinal).Select(p => (JsonNode)new JsonObject { ["path"] = p }))),
            ("configMapGenerator", Nodes.Array(
            [
                Nodes.ConfigMap(AspirateBase.EnvConfigMap(Cruiser), ServiceEnvironment(Cruiser, settings), behavior: "merge"),
                Nodes.ConfigMap(AspirateBase.EnvConfigMap(Gateway), ServiceEnvironment(Gateway, settings), behavior: "merge"),
            ]))));
    }

    /// <summary>
    /// What the overlay adds to a service's environment on GKE: where Agones is, where telemetry goes and under which
    /// name; the gateway also gets IAP's audience and the mounted share.
    /// </summary>
    private static Dictionary<string, string> ServiceEnvironment(string service, DeploySettings settings)
    {
        var environment = new Dictionary<string, string>
        {
            [SettingKeys.EnvironmentName(SettingKeys.AgonesNamespace)] = settings.Cluster.Namespace,
            [SettingKeys.EnvironmentName(SettingKeys.AgonesFleet)] = settings.FleetProfiles.First(p => p.Default || !settings.HasProfiles).FleetName,
            [SettingKeys.OtelExporterEndpoint] = Telemetry.CollectorEndpoint(settings),
            [SettingKeys.OtelServiceName] = service,
        };
        foreach (var (name, value) in ProfileSettings.Environment(settings.Profiles))
        {
            environment[name] = value;
        }

        if (service == Cruiser)
        {
            // The webhook's bounds and its Buffer answer without history are the Buffer policy's: deploy/settings.json
            // fleet.* for every Fleet, and each profile Fleet's own (Forecast:Fleets:<fleet>:*) when there are profiles.
            environment[SettingKeys.EnvironmentName(SettingKeys.ForecastBuffer)] = PlatformSettingMap.Format(settings.Fleet.BufferSize);
            environment[SettingKeys.EnvironmentName(SettingKeys.ForecastMinReplicas)] = PlatformSettingMap.Format(settings.Fleet.MinReplicas);
            environment[SettingKeys.EnvironmentName(SettingKeys.ForecastMaxReplicas)] = PlatformSettingMap.Format(settings.Fleet.MaxReplicas);
            foreach (var (name, value) in ProfileSettings.ForecastEnvironment(settings.Profiles))
            {
                environment[name] = value;
            }
        }

        if (service == Gateway)
        {
            environment[SettingKeys.EnvironmentName(SettingKeys.IdentityIapAudience)] = settings.Iap.Audience;
            environment[SettingKeys.EnvironmentName(SettingKeys.StorageRoot)] = RuntimeFleet.StorageRoot;
        }

        return environment;
    }
}
