using System.Text.Json.Nodes;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>The Fleet's Buffer autoscaler: how many Ready runtimes wait for the next person, within the fleet's bounds.</summary>
internal static class FleetAutoscalerObjects
{
    /// <summary>
    /// Written as a JSON tree rather than <see cref="CustomResources.AgonesFleetAutoscaler"/>: its integer-or-percent
    /// <c>bufferSize</c> is a string in the model, and an integer here.
    /// </summary>
    public static JsonObject FleetAutoscaler(DeploySettings settings)
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
            ["apiVersion"] = $"{AgonesApi.AutoscalingGroup}/{AgonesApi.Version}",
            ["kind"] = "FleetAutoscaler",
            ["metadata"] = new JsonObject { ["name"] = RuntimeFleet.Name + "-autoscaler" },
            ["spec"] = new JsonObject
            {
                ["fleetName"] = RuntimeFleet.Name,
                ["policy"] = new JsonObject { ["type"] = "Buffer", ["buffer"] = buffer },
                ["sync"] = new JsonObject { ["type"] = "FixedInterval", ["fixedInterval"] = new JsonObject { ["seconds"] = 10 } },
            },
        };
    }
}
