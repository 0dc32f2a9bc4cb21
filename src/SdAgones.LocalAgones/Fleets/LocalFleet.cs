using k8s;
using k8s.Models;
using SdAgones.Runtimes.Agones;
using AgonesFleet = SdAgones.Runtimes.Agones.Fleet;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>
/// One Fleet LocalAgones serves (of <see cref="FleetPlan"/>): its object (name, template, desired replicas,
/// generation) and its status counted from its own GameServers. Called under the registry's lock.
/// </summary>
internal sealed class LocalFleet
{
    private readonly FleetOptions options;
    private readonly AgonesFleet fleet;

    public LocalFleet(FleetPlan plan, FleetOptions options, DateTimeOffset created)
    {
        Plan = plan;
        this.options = options;
        fleet = new AgonesFleet
        {
            Metadata = new V1ObjectMeta
            {
                Name = plan.Name,
                NamespaceProperty = options.Namespace,
                Uid = Guid.NewGuid().ToString(),
                Generation = 1,
                CreationTimestamp = created.UtcDateTime,
                ResourceVersion = "1",
                Labels = new Dictionary<string, string> { [AgonesApi.ProfileLabel] = plan.Profile.Slug },
            },
            Spec = new FleetSpec
            {
                Replicas = options.Autoscale ? Math.Max(plan.MinReplicas, plan.BufferSize) : plan.MinReplicas,
                Template = new GameServerTemplate
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { [AgonesApi.ProfileLabel] = plan.Profile.Slug } },
                    Spec = NewSpec(),
                },
            },
        };
    }

    public FleetPlan Plan { get; }

    public string Name => fleet.Metadata.Name;

    public int Replicas => fleet.Spec.Replicas;

    /// <summary>The GameServer spec of the Fleet's template, as the GKE Fleet manifest declares it.</summary>
    public GameServerSpec Template => fleet.Spec.Template.Spec;

    /// <summary>The labels a new GameServer of this Fleet gets: the template's and Agones' Fleet label.</summary>
    public Dictionary<string, string> NewLabels() => new(fleet.Spec.Template.Metadata!.Labels!) { [AgonesApi.FleetLabel] = Name };

    /// <summary>True when <paramref name="server"/> belongs to this Fleet (Agones' label).</summary>
    public bool Owns(GameServer server) => server.Metadata.Labels?.TryGetValue(AgonesApi.FleetLabel, out var name) == true && name == Name;

    public GameServerSpec NewSpec() => new()
    {
        Container = "stable-diffusion-webui",
        Ports = [new GameServerPort { Name = AgonesApi.WebUIPortName, ContainerPort = 7860, PortPolicy = "None", Protocol = "TCP" }],
        Health = new GameServerHealth
        {
            InitialDelaySeconds = options.HealthInitialDelaySeconds,
            PeriodSeconds = options.HealthPeriodSeconds,
            FailureThreshold = options.HealthFailureThreshold,
        },
    };

    /// <summary>A copy of the Fleet with its status counted from those of <paramref name="servers"/> it owns.</summary>
    public AgonesFleet Snapshot(IEnumerable<GameServer> servers)
    {
        var all = servers.Where(Owns).ToList();
        var copy = KubernetesJson.Deserialize<AgonesFleet>(KubernetesJson.Serialize(fleet));
        copy.Status = new FleetStatus
        {
            Replicas = all.Count(s => !GameServerRegistry.IsLeaving(s)),
            ReadyReplicas = all.Count(s => s.Status?.State == GameServerState.Ready),
            ReservedReplicas = all.Count(s => s.Status?.State == GameServerState.Reserved),
            AllocatedReplicas = all.Count(s => s.Status?.State == GameServerState.Allocated),
        };
        return copy;
    }

    /// <summary>Sets the desired replicas; false (and nothing changes) when they are already that.</summary>
    public bool SetReplicas(int replicas, long version)
    {
        if (fleet.Spec.Replicas == replicas)
        {
            return false;
        }

        fleet.Spec.Replicas = replicas;
        fleet.Metadata.Generation = (fleet.Metadata.Generation ?? 1) + 1;
        fleet.Metadata.ResourceVersion = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return true;
    }
}
