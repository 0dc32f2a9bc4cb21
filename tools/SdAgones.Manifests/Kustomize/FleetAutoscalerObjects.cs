using System.Text.Json.Nodes;
using SdAgones.Contracts.Profiles;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>
/// Each Fleet's autoscaler: Agones' Buffer policy with the profile's own buffer and bounds, or (<c>autoscaling:
/// Forecast</c>) a Webhook policy answered by the cruiser's <c>POST /fleetautoscale</c>, which warms runtimes before
/// people arrive within the same bounds (given to the cruiser per Fleet as <c>Forecast:Fleets:&lt;fleet&gt;:*</c>).
/// </summary>
internal static class FleetAutoscalerObjects
{
    /// <summary>
    /// Written as a JSON tree rather than <see cref="CustomResources.AgonesFleetAutoscaler"/>: its integer-or-percent
    /// <c>bufferSize</c> is a string in the model, and an integer here.
    /// </summary>
    public static JsonObject FleetAutoscaler(DeploySettings settings, RuntimeProfile profile, int cruiserPort)
    {
        var policy = settings.Autoscaling == FleetAutoscaling.Forecast ? Webhook(settings, cruiserPort) : Buffer(profile);
        return new JsonObject
        {
            ["apiVersion"] = $"{AgonesApi.AutoscalingGroup}/{AgonesApi.Version}",
            ["kind"] = "FleetAutoscaler",
            ["metadata"] = new JsonObject { ["name"] = profile.FleetName + "-autoscaler" },
            ["spec"] = new JsonObject
            {
                ["fleetName"] = profile.FleetName,
                ["policy"] = policy,
                ["sync"] = new JsonObject { ["type"] = "FixedInterval", ["fixedInterval"] = new JsonObject { ["seconds"] = 10 } },
            },
        };
    }

    private static JsonObject Buffer(RuntimeProfile profile)
    {
        var buffer = new JsonObject
        {
            ["bufferSize"] = profile.Buffer,
            ["maxReplicas"] = profile.MaxReplicas,
        };
        if (profile.MinReplicas > 0)
        {
            buffer["minReplicas"] = profile.MinReplicas;
        }

        return new JsonObject { ["type"] = "Buffer", ["buffer"] = buffer };
    }

    /// <summary>
    /// A service reference as Agones builds its URL from it (pkg/fleetautoscalers/fleetautoscalers.go, buildURLFromConfiguration
    /// and createURL): <c>http://{name}.{namespace}.svc:{port}{path}</c>, with port 8000 and namespace <c>default</c> when
    /// left out, so both are written; no <c>caBundle</c>, so plain HTTP inside the cluster (with one it would be HTTPS).
    /// The same for every Fleet: the review names the Fleet it is about.
    /// </summary>
    private static JsonObject Webhook(DeploySettings settings, int cruiserPort) => new()
    {
        ["type"] = "Webhook",
        ["webhook"] = new JsonObject
        {
            ["service"] = new JsonObject
            {
                ["name"] = ServiceNames.Cruiser,
                ["namespace"] = settings.Cluster.Namespace,
                ["path"] = AgonesApi.FleetAutoscaleWebhookPath,
                ["port"] = cruiserPort,
            },
        },
    };
}
