using System.Text.Json.Nodes;
using SdAgones.Contracts.Profiles;

namespace SdAgones.Manifests.Kustomize;

/// <summary>Each Fleet's Buffer autoscaler: how many Ready runtimes of a profile wait for the next person, within its bounds.</summary>
internal static class FleetAutoscalerObjects
{
    /// <summary>
    /// Written as a JSON tree rather than <see cref="CustomResources.AgonesFleetAutoscaler"/>: its integer-or-percent
    /// <c>bufferSize</c> is a string in the model, and an integer here.
    /// </summary>
    public static JsonObject FleetAutoscaler(RuntimeProfile profile)
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

        return new JsonObject
        {
            ["apiVersion"] = $"{AgonesApi.AutoscalingGroup}/{AgonesApi.Version}",
            ["kind"] = "FleetAutoscaler",
            ["metadata"] = new JsonObject { ["name"] = profile.FleetName + "-autoscaler" },
            ["spec"] = new JsonObject
            {
                ["fleetName"] = profile.FleetName,
                ["policy"] = new JsonObject { ["type"] = "Buffer", ["buffer"] = buffer },
                ["sync"] = new JsonObject { ["type"] = "FixedInterval", ["fixedInterval"] = new JsonObject { ["seconds"] = 10 } },
            },
        };
    }
}
