using System.Threading.Channels;
using k8s;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>A change to a GameServer, numbered by the registry's resource version.</summary>
public sealed record WatchEvent(string Type, long Version, GameServer Object);

/// <summary>Thrown when a watch asks for a resource version older than the history kept (the API server's 410 Gone).</summary>
public sealed class ResourceVersionGoneException(string message) : Exception(message);

/// <summary>
/// The registry's recent changes and its open watches, so a watch can resume from a resource version as on a real
/// API server. Called under the registry's lock; the list of watchers has its own, for watches that end.
/// </summary>
internal sealed class WatchHistory
{
    private const int Limit = 4096;
    private readonly Queue<WatchEvent> history = new();
    private readonly List<Channel<WatchEvent>> watchers = [];
    private readonly Lock watchersGate = new();

    /// <summary>Keeps a change and sends it to every open watch.</summary>
    public void Record(string type, long version, GameServer server)
    {
        var e = new WatchEvent(type, version, Clone(server));
        history.Enqueue(e);
        while (history.Count > Limit)
        {
            history.Dequeue();
        }

        lock (watchersGate)
        {
            foreach (var watcher in watchers)
            {
                watcher.Writer.TryWrite(e);
            }
        }
    }

    /// <summary>Opens a watch: events after <paramref name="fromVersion"/>, or <paramref name="current"/> as ADDED when it is null or 0.</summary>
    public ChannelReader<WatchEvent> Open(string? fromVersion, long version, IEnumerable<GameServer> current, CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
        if (string.IsNullOrEmpty(fromVersion) || fromVersion == "0")
        {
            foreach (var server in current.OrderBy(s => s.Metadata.CreationTimestamp))
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

        lock (watchersGate)
        {
            watchers.Add(channel);
        }

        ct.Register(() =>
        {
            lock (watchersGate)
            {
                watchers.Remove(channel);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    internal static GameServer Clone(GameServer server) =>
        KubernetesJson.Deserialize<GameServer>(KubernetesJson.Serialize(server));
}
