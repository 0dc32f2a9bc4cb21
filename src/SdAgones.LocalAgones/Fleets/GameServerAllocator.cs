using SdAgones.LocalAgones.Api;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>
/// Agones' allocation rules on the registry's objects: the first selector that matches wins, the oldest matching
/// GameServer is taken, and the allocation's labels and annotations are written onto it. Pure: the registry applies
/// the result under its lock.
/// </summary>
internal static class GameServerAllocator
{
    /// <summary>The GameServer an allocation takes, or null when no selector matches any.</summary>
    public static GameServer? Choose(IEnumerable<GameServer> servers, GameServerAllocationSpec spec)
    {
        foreach (var selector in spec.Selectors.DefaultIfEmpty(new GameServerSelector()))
        {
            var wanted = selector.GameServerState ?? GameServerState.Ready;
            var labels = new LabelSelector(selector.MatchLabels);
            var chosen = servers
                .Where(s => s.Status?.State == wanted && labels.Matches(s.Metadata.Labels))
                .OrderBy(s => s.Metadata.CreationTimestamp)
                .ThenBy(s => s.Metadata.Name, StringComparer.Ordinal)
                .FirstOrDefault();
            if (chosen is not null)
            {
                return chosen;
            }
        }

        return null;
    }

    /// <summary>The chosen GameServer as allocated (a copy): state Allocated, the allocation's metadata, the time.</summary>
    public static GameServer Allocated(GameServer chosen, GameServerAllocationSpec spec, DateTimeOffset now)
    {
        var next = WatchHistory.Clone(chosen);
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

        next.Metadata.Annotations[AgonesApi.LastAllocatedAnnotation] = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return next;
    }

    /// <summary>The allocation's status as Agones answers it for the allocated GameServer.</summary>
    public static GameServerAllocationStatus Status(GameServer allocated) => new()
    {
        State = AllocationState.Allocated,
        GameServerName = allocated.Name,
        Ports = allocated.Status!.Ports,
        Address = allocated.Status.Address,
        Addresses = allocated.Status.Addresses,
        NodeName = allocated.Status.NodeName,
        Source = "local",
        Metadata = new AllocationMetadata
        {
            Labels = new Dictionary<string, string>(allocated.Metadata.Labels!),
            Annotations = new Dictionary<string, string>(allocated.Metadata.Annotations!),
        },
    };
}
