using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using SdAgones.LocalAgones.Api;
using SdAgones.Runtimes.Agones;
using AgonesFleet = SdAgones.Runtimes.Agones.Fleet;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>
/// The local API server's object store: GameServers by name, with resource versions. The watch history
/// (<see cref="WatchHistory"/>), the allocation rules (<see cref="GameServerAllocator"/>) and the Fleet
/// (<see cref="LocalFleet"/>, one per <see cref="FleetPlan"/>) live beside it; every change happens under this one lock, so two allocations can never
/// take the same GameServer.
/// </summary>
public sealed class GameServerRegistry
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, GameServer> servers = new(StringComparer.Ordinal);
    private readonly WatchHistory history = new();
    private readonly TimeProvider time;
    private readonly FleetOptions options;
    private readonly List<LocalFleet> fleets;
    private readonly EventLog events;
    private long version;
    private int created;

    public GameServerRegistry(IOptions<FleetOptions> options, FleetPlans plans, TimeProvider time, EventLog events)
    {
        this.time = time;
        this.events = events;
        this.options = options.Value;
        fleets = [.. plans.All.Select(plan => new LocalFleet(plan, this.options, time.GetUtcNow()))];
        version = 1;
    }

    /// <summary>
    /// Raised (outside the lock) after a change and only after one, so controllers can act at once instead of
    /// waiting a tick. A write that leaves everything as it was raises nothing.
    /// </summary>
    public event Action? Changed;

    public string Namespace => options.Namespace;

    /// <summary>The Fleets' plans, in profile order.</summary>
    public IReadOnlyList<FleetPlan> Plans => [.. fleets.Select(f => f.Plan)];

    public string CurrentVersion => Version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The registry's resource version: it grows with every change and only then.</summary>
    public long Version
    {
        get { lock (gate) { return version; } }
    }

    /// <summary>Creates a new GameServer of Fleet <paramref name="fleetName"/> in state Creating.</summary>
    /// <exception cref="KeyNotFoundException">LocalAgones runs no such Fleet.</exception>
    public GameServer CreateForFleet(string fleetName)
    {
        GameServer server;
        lock (gate)
        {
            var fleet = FleetNamed(fleetName) ?? throw new KeyNotFoundException($"no Fleet {fleetName}");
            created++;
            var name = $"{fleet.Name}-{RandomSuffix()}";
            server = new GameServer
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = options.Namespace,
                    Uid = Guid.NewGuid().ToString(),
                    Generation = 1,
                    CreationTimestamp = time.GetUtcNow().UtcDateTime,
                    Labels = fleet.NewLabels(),
                    Annotations = new Dictionary<string, string>(),
                },
                Spec = fleet.Template,
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
            if (from != to)
            {
                events.StateReached(next);
            }

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
            if (GameServerAllocator.Choose(servers.Values, spec) is not { } chosen)
            {
                return new GameServerAllocationStatus { State = AllocationState.UnAllocated };
            }

            var next = GameServerAllocator.Allocated(chosen, spec, time.GetUtcNow());
            servers[next.Name] = next;
            Record("MODIFIED", next);
            events.StateReached(next);
            status = GameServerAllocator.Status(next);
        }

        Changed?.Invoke();
        return status;
    }

    /// <summary>Fleet <paramref name="name"/> with its status, or null when LocalAgones runs no such Fleet.</summary>
    public AgonesFleet? GetFleet(string name)
    {
        lock (gate)
        {
            return FleetNamed(name)?.Snapshot(servers.Values);
        }
    }

    /// <summary>Every Fleet with its status, in profile order.</summary>
    public List<AgonesFleet> GetFleets()
    {
        lock (gate)
        {
            return [.. fleets.Select(f => f.Snapshot(servers.Values))];
        }
    }

    /// <summary>Sets Fleet <paramref name="name"/>'s desired replicas; null when there is no such Fleet.</summary>
    public AgonesFleet? SetFleetReplicas(string name, int replicas)
    {
        lock (gate)
        {
            var fleet = FleetNamed(name);
            if (fleet is null)
            {
                return null;
            }

            if (!fleet.SetReplicas(replicas, version + 1))
            {
                return fleet.Snapshot(servers.Values);
            }

            version++;
        }

        Changed?.Invoke();
        return GetFleet(name);
    }

    private LocalFleet? FleetNamed(string name) => fleets.FirstOrDefault(f => f.Name == name);

    /// <summary>Opens a watch: events after <paramref name="fromVersion"/>, or the current objects as ADDED when it is null or 0.</summary>
    public ChannelReader<WatchEvent> Watch(string? fromVersion, CancellationToken ct)
    {
        lock (gate)
        {
            return history.Open(fromVersion, version, servers.Values, ct);
        }
    }

    /// <summary>True for a GameServer that is on its way out and no longer counts as a Fleet replica.</summary>
    public static bool IsLeaving(GameServer server) =>
        server.Status?.State is { } state && GameServerLifecycle.IsTerminal(state);

    private void Record(string type, GameServer server)
    {
        version++;
        server.Metadata.ResourceVersion = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        history.Record(type, version, server);
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

    private static GameServer Clone(GameServer server) => WatchHistory.Clone(server);
}
