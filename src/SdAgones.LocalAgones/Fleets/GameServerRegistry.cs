using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using SdAgones.LocalAgones.Api;
using SdAgones.Runtimes.Agones;
using AgonesFleet = SdAgones.Runtimes.Agones.Fleet;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>A change to a GameServer, numbered by the registry's resource version.</summary>
public sealed record WatchEvent(string Type, long Version, GameServer Object);

/// <summary>Thrown when a watch asks for a resource version older than the history kept (the API server's 410 Gone).</summary>
public sealed class ResourceVersionGoneException(string message) : Exception(message);

/// <summary>
/// The local API server's storage: GameServers and the Fleet, with resource versions, watch streams and atomic
/// allocation. Every change happens under one lock, so two allocations can never take the same GameServer.
/// </summary>
public sealed class GameServerRegistry
{
    private const int HistoryLimit = 4096;
    private readonly Lock gate = new();
    private readonly Dictionary<string, GameServer> servers = new(StringComparer.Ordinal);
    private readonly Queue<WatchEvent> history = new();
    private readonly List<Channel<WatchEvent>> watchers = [];
    private readonly TimeProvider time;
    private readonly FleetOptions options;
    private readonly AgonesFleet fleet;
    private long version;
    private int created;

    public GameServerRegistry(IOptions<FleetOptions> options, TimeProvider time)
    {
        this.time = time;
        this.options = options.Value;
        fleet = new AgonesFleet
        {
            Metadata = new V1ObjectMeta
            {
                Name = this.options.Name,
                NamespaceProperty = this.options.Namespace,
                Uid = Guid.NewGuid().ToString(),
                Generation = 1,
                CreationTimestamp = time.GetUtcNow().UtcDateTime,
                ResourceVersion = "1",
            },
            Spec = new FleetSpec
            {
                Replicas = this.options.Autoscale ? Math.Max(this.options.MinReplicas, this.options.BufferSize) : this.options.MinReplicas,
                Template = new GameServerTemplate { Spec = NewSpec() },
            },
        };
        version = 1;
    }

    /// <summary>
    /// Raised (outside the lock) after a change and only after one, so controllers can act at once instead of
    /// waiting a tick. A write that leaves everything as it was raises nothing.
    /// </summary>
    public event Action? Changed;

    public string Namespace => options.Namespace;

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

    public string CurrentVersion => Version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The registry's resource version: it grows with every change and only then.</summary>
    public long Version
    {
        get { lock (gate) { return version; } }
    }

    /// <summary>Creates a new GameServer of the Fleet in state Creating.</summary>
    public GameServer CreateForFleet()
    {
        GameServer server;
        lock (gate)
        {
            created++;
            var name = $"{options.Name}-{RandomSuffix()}";
            server = new GameServer
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = options.Namespace,
                    Uid = Guid.NewGuid().ToString(),
                    Generation = 1,
                    CreationTimestamp = time.GetUtcNow().UtcDateTime,
                    Labels = new Dictionary<string, string> { [AgonesApi.FleetLabel] = options.Name },
                    Annotations = new Dictionary<string, string>(),
                },
                Spec = fleet.Spec.Template.Spec,
                Status = new GameServerStatus { State = GameServerState.Creating },
            };
            servers[name] = server;
            Record("ADDED", server);
        }

        Changed?.Invoke();
        return Clone(server);
    }

    public GameServer? Get(string name)
    {
        lock (gate)
        {
            return servers.TryGetValue(name, out var server) ? Clone(server) : null;
        }
    }

    public (List<GameServer> Items, string Version) List(LabelSelector selector)
    {
        lock (gate)
        {
            var items = servers.Values.Where(s => selector.Matches(s.Metadata.Labels))
                .OrderBy(s => s.Metadata.CreationTimestamp).Select(Clone).ToList();
            return (items, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Applies a change to one GameServer; returns the new object, or null when it does not exist.</summary>
    /// <param name="name">The GameServer.</param>
    /// <param name="change">The change, made on a copy.</param>
    /// <param name="checkLifecycle">
    /// False for a write as the API server takes it from the SDK sidecar: any state is stored as asked (the real API
    /// server does not check GameServer state moves; Agones' controllers do, after the fact).
    /// </param>
    /// <exception cref="InvalidOperationException">The change would break the Agones lifecycle.</exception>
    public GameServer? Update(string name, Action<GameServer> change, bool checkLifecycle = true)
    {
        GameServer result;
        lock (gate)
        {
            if (!servers.TryGetValue(name, out var current))
            {
                return null;
            }

            var next = Clone(current);
            change(next);
            if (KubernetesJson.Serialize(next) == KubernetesJson.Serialize(current))
            {
                // Nothing changed: no new resource version, no watch event, no Changed (issue 13: a notification
                // without a change kept the fleet controller's loop from ever sleeping).
                return next;
            }

            var from = current.Status?.State ?? GameServerState.Creating;
            var to = next.Status?.State ?? GameServerState.Creating;
            if (checkLifecycle && !GameServerLifecycle.CanMove(from, to))
            {
                throw new InvalidOperationException($"GameServer {name} cannot move from {from} to {to}.");
            }

            servers[name] = next;
            Record("MODIFIED", next);
            result = Clone(next);
        }

        Changed?.Invoke();
        return result;
    }

    /// <summary>Moves a GameServer to a state if the lifecycle allows it; false when it is gone or the move is not allowed.</summary>
    public bool TryMove(string name, GameServerState to, Action<GameServer>? alsoChange = null)
    {
        try
        {
            return Update(name, s =>
            {
                s.Status ??= new GameServerStatus();
                s.Status.State = to;
                alsoChange?.Invoke(s);
            }) is not null;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public GameServer? Remove(string name)
    {
        GameServer? removed;
        lock (gate)
        {
            if (!servers.Remove(name, out removed))
            {
                return null;
            }

            Record("DELETED", removed);
        }

        Changed?.Invoke();
        return removed;
    }

    /// <summary>Agones' allocation: the first selector that matches wins; the GameServer moves to Allocated atomically.</summary>
    public GameServerAllocationStatus Allocate(GameServerAllocationSpec spec)
    {
        GameServerAllocationStatus status;
        lock (gate)
        {
            GameServer? chosen = null;
            foreach (var selector in spec.Selectors.DefaultIfEmpty(new GameServerSelector()))
            {
                var wanted = selector.GameServerState ?? GameServerState.Ready;
                var labels = new LabelSelector(selector.MatchLabels);
                chosen = servers.Values
                    .Where(s => s.Status?.State == wanted && labels.Matches(s.Metadata.Labels))
                    .OrderBy(s => s.Metadata.CreationTimestamp)
                    .ThenBy(s => s.Metadata.Name, StringComparer.Ordinal)
                    .FirstOrDefault();
                if (chosen is not null)
                {
                    break;
                }
            }

            if (chosen is null)
            {
                return new GameServerAllocationStatus { State = AllocationState.UnAllocated };
            }

            var next = Clone(chosen);
            next.Status!.State = GameServerState.Allocated;
            next.Metadata.Labels ??= new Dictionary<string, string>();
            next.Metadata.Annotations ??= new Dictionary<string, string>();
            foreach (var (key, value) in spec.Metadata?.Labels ?? [])
            {
                next.Metadata.Labels[key] = value;
            }

            foreach (var (key, value) in spec.Metadata?.Annotations ?? [])
            {
                next.Metadata.Annotations[key] = value;
            }

            next.Metadata.Annotations[AgonesApi.LastAllocatedAnnotation] = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            servers[next.Name] = next;
            Record("MODIFIED", next);
            status = new GameServerAllocationStatus
            {
                State = AllocationState.Allocated,
                GameServerName = next.Name,
                Ports = next.Status.Ports,
                Address = next.Status.Address,
                Addresses = next.Status.Addresses,
                NodeName = next.Status.NodeName,
                Source = "local",
                Metadata = new AllocationMetadata
                {
                    Labels = new Dictionary<string, string>(next.Metadata.Labels),
                    Annotations = new Dictionary<string, string>(next.Metadata.Annotations),
                },
            };
        }

        Changed?.Invoke();
        return status;
    }

    public AgonesFleet GetFleet()
    {
        lock (gate)
        {
            var copy = KubernetesJson.Deserialize<AgonesFleet>(KubernetesJson.Serialize(fleet));
            copy.Status = new FleetStatus
            {
                Replicas = servers.Values.Count(s => !IsLeaving(s)),
                ReadyReplicas = servers.Values.Count(s => s.Status?.State == GameServerState.Ready),
                ReservedReplicas = servers.Values.Count(s => s.Status?.State == GameServerState.Reserved),
                AllocatedReplicas = servers.Values.Count(s => s.Status?.State == GameServerState.Allocated),
            };
            return copy;
        }
    }

    public AgonesFleet SetFleetReplicas(int replicas)
    {
        lock (gate)
        {
            if (fleet.Spec.Replicas == replicas)
            {
                return GetFleet();
            }

            fleet.Spec.Replicas = replicas;
            fleet.Metadata.Generation = (fleet.Metadata.Generation ?? 1) + 1;
            fleet.Metadata.ResourceVersion = (++version).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        Changed?.Invoke();
        return GetFleet();
    }

    /// <summary>Opens a watch: events after <paramref name="fromVersion"/>, or the current objects as ADDED when it is null or 0.</summary>
    public ChannelReader<WatchEvent> Watch(string? fromVersion, CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (gate)
        {
            if (string.IsNullOrEmpty(fromVersion) || fromVersion == "0")
            {
                foreach (var server in servers.Values.OrderBy(s => s.Metadata.CreationTimestamp))
                {
                    channel.Writer.TryWrite(new WatchEvent("ADDED", version, Clone(server)));
                }
            }
            else
            {
                if (!long.TryParse(fromVersion, out var from))
                {
                    throw new ArgumentException($"resourceVersion '{fromVersion}' is not a number.");
                }

                if (history.Count > 0 && from < history.Peek().Version - 1)
                {
                    throw new ResourceVersionGoneException($"too old resource version: {from} ({history.Peek().Version - 1})");
                }

                foreach (var e in history.Where(e => e.Version > from))
                {
                    channel.Writer.TryWrite(e);
                }
            }

            watchers.Add(channel);
        }

        ct.Register(() =>
        {
            lock (gate)
            {
                watchers.Remove(channel);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    /// <summary>True for a GameServer that is on its way out and no longer counts as a Fleet replica.</summary>
    public static bool IsLeaving(GameServer server) =>
        server.Status?.State is { } state && GameServerLifecycle.IsTerminal(state);

    private void Record(string type, GameServer server)
    {
        version++;
        server.Metadata.ResourceVersion = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var e = new WatchEvent(type, version, Clone(server));
        history.Enqueue(e);
        while (history.Count > HistoryLimit)
        {
            history.Dequeue();
        }

        foreach (var watcher in watchers)
        {
            watcher.Writer.TryWrite(e);
        }
    }

    private string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> chars = stackalloc char[5];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[Random.Shared.Next(alphabet.Length)];
        }

        return $"{created:x}{new string(chars)}";
    }

    private static GameServer Clone(GameServer server) =>
        KubernetesJson.Deserialize<GameServer>(KubernetesJson.Serialize(server));
}
