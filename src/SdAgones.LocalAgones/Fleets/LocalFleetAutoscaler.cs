using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Agones;
using AgonesFleet = SdAgones.Runtimes.Agones.Fleet;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>
/// Each Fleet's FleetAutoscaler as the API serves it (read-only: its policy comes from LocalAgones' settings, the same
/// for every Fleet; a Buffer policy's sizes come from the Fleet's plan) and the status its last sync left, as Agones' fleetautoscaler controller writes it (pkg/fleetautoscalers/controller.go
/// <c>updateStatus</c>, <c>updateStatusUnableToScale</c> in googleforgames/agones).
/// </summary>
public sealed class LocalFleetAutoscaler(IOptions<FleetOptions> fleetOptions, IOptions<FleetAutoscalerOptions> options)
{
    public const string Component = "fleetautoscaler-controller";

    private readonly Lock gate = new();
    private readonly Dictionary<string, JsonObject> webhookStatus = new(StringComparer.Ordinal);

    /// <summary>True when a FleetAutoscaler scales the Fleet (false: the Fleet keeps whatever its replicas are set to).</summary>
    public bool Active => fleetOptions.Value.Autoscale;

    public FleetAutoscalerPolicyType Policy => options.Value.Autoscaling;

    /// <summary>True when the fleet controller itself applies the Buffer policy on each pass.</summary>
    public bool UsesBuffer => Active && Policy == FleetAutoscalerPolicyType.Buffer;

    public static string NameFor(string fleet) => $"{fleet}-autoscaler";

    /// <summary>The object reference core/v1 Events about the autoscaler of <paramref name="fleet"/> carry.</summary>
    public static V1ObjectReference Reference(AgonesFleet fleet) => new()
    {
        ApiVersion = $"{AgonesApi.AutoscalingGroup}/{AgonesApi.Version}",
        Kind = "FleetAutoscaler",
        Name = NameFor(fleet.Metadata.Name),
        NamespaceProperty = fleet.Metadata.NamespaceProperty,
        Uid = fleet.Metadata.Uid,
    };

    /// <summary>A sync that computed <paramref name="desired"/> from a Fleet of <paramref name="current"/> GameServers.</summary>
    public void Scaled(string fleet, int current, int desired, DateTimeOffset? scaledAt)
    {
        lock (gate)
        {
            var previous = webhookStatus.GetValueOrDefault(fleet)?["lastScaleTime"]?.GetValue<string>();
            webhookStatus[fleet] = new JsonObject
            {
                ["currentReplicas"] = current,
                ["desiredReplicas"] = desired,
                ["lastScaleTime"] = scaledAt is { } at ? Timestamp(at) : previous,
                ["ableToScale"] = true,
                ["scalingLimited"] = false,
                ["lastAppliedPolicy"] = Policy.ToString(),
            };
        }
    }

    /// <summary>A sync that failed: Agones zeroes the counts and clears the policy applied.</summary>
    public void UnableToScale(string fleet)
    {
        lock (gate)
        {
            webhookStatus[fleet] = new JsonObject
            {
                ["currentReplicas"] = 0,
                ["desiredReplicas"] = 0,
                ["lastScaleTime"] = webhookStatus.GetValueOrDefault(fleet)?["lastScaleTime"]?.GetValue<string>(),
                ["ableToScale"] = false,
                ["scalingLimited"] = false,
                ["lastAppliedPolicy"] = "",
            };
        }
    }

    /// <summary>The FleetAutoscalers of every Fleet <paramref name="registry"/> runs, in profile order; none when the Fleets are scaled by hand.</summary>
    internal List<JsonObject> DescribeAll(GameServerRegistry registry) =>
        Active ? [.. registry.Plans.Select(plan => registry.GetFleet(plan.Name) is { } fleet ? Describe(plan, fleet) : null).OfType<JsonObject>()] : [];

    /// <summary>The FleetAutoscaler object of <paramref name="fleet"/> (planned by <paramref name="plan"/>), or null when the Fleet is scaled by hand.</summary>
    public JsonObject? Describe(FleetPlan plan, AgonesFleet fleet)
    {
        if (!Active)
        {
            return null;
        }

        var settings = fleetOptions.Value;
        return new JsonObject
        {
            ["apiVersion"] = $"{AgonesApi.AutoscalingGroup}/{AgonesApi.Version}",
            ["kind"] = "FleetAutoscaler",
            ["metadata"] = new JsonObject
            {
                ["name"] = NameFor(fleet.Metadata.Name),
                ["namespace"] = fleet.Metadata.NamespaceProperty,
                ["uid"] = fleet.Metadata.Uid,
                ["creationTimestamp"] = fleet.Metadata.CreationTimestamp is { } created ? Timestamp(created) : null,
            },
            ["spec"] = new JsonObject
            {
                ["fleetName"] = fleet.Metadata.Name,
                ["policy"] = Policy == FleetAutoscalerPolicyType.Webhook
                    ? new JsonObject { ["type"] = "Webhook", ["webhook"] = new JsonObject { ["url"] = options.Value.WebhookUrl } }
                    : new JsonObject
                    {
                        ["type"] = "Buffer",
                        ["buffer"] = new JsonObject { ["bufferSize"] = plan.BufferSize, ["minReplicas"] = plan.MinReplicas, ["maxReplicas"] = plan.MaxReplicas },
                    },
                ["sync"] = new JsonObject { ["type"] = "FixedInterval", ["fixedInterval"] = new JsonObject { ["seconds"] = (int)Math.Ceiling(settings.SyncInterval.TotalSeconds) } },
            },
            ["status"] = Status(fleet),
        };
    }

    private JsonObject Status(AgonesFleet fleet)
    {
        if (Policy == FleetAutoscalerPolicyType.Webhook)
        {
            lock (gate)
            {
                // Before its first sync the controller has written no status: Agones' zero values.
                return (JsonObject?)webhookStatus.GetValueOrDefault(fleet.Metadata.Name)?.DeepClone()
                       ?? new JsonObject { ["currentReplicas"] = 0, ["desiredReplicas"] = 0, ["ableToScale"] = false, ["scalingLimited"] = false };
            }
        }

        return new JsonObject
        {
            ["currentReplicas"] = fleet.Status.Replicas,
            ["desiredReplicas"] = fleet.Spec.Replicas,
            ["ableToScale"] = true,
            ["scalingLimited"] = false,
        };
    }

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
