using k8s.Models;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Api;

/// <summary>
/// core/v1 Events for GameServer state changes, recorded as Agones' controllers record them (the reason is the state
/// reached, e.g. <c>Scheduled</c>, <c>Ready</c>, <c>Allocated</c>, <c>Shutdown</c>), so <c>kubectl describe gs</c>
/// shows a GameServer's history. Messages follow pkg/gameservers/controller.go, pkg/sdkserver/sdkserver.go and
/// pkg/gameserverallocations/allocator.go in googleforgames/agones.
/// </summary>
public sealed class EventLog(TimeProvider time)
{
    private const int Limit = 2048;
    private readonly Lock gate = new();
    private readonly LinkedList<Corev1Event> events = new();
    private long sequence;

    /// <summary>Records the event Agones records when <paramref name="server"/> reaches its current state.</summary>
    public void StateReached(GameServer server)
    {
        if (server.Status?.State is not { } state || Describe(state, server.Name) is not var (reason, type, component, message))
        {
            return;
        }

        Record(
            new V1ObjectReference
            {
                ApiVersion = $"{AgonesApi.Group}/{AgonesApi.Version}",
                Kind = GameServer.KindName,
                Name = server.Name,
                NamespaceProperty = server.Namespace(),
                Uid = server.Metadata.Uid,
                ResourceVersion = server.Metadata.ResourceVersion,
            },
            reason, type, component, message);
    }

    /// <summary>
    /// Records an event about <paramref name="about"/>. The same event again right after (same object, reason and
    /// message) counts up the earlier one, as client-go's event correlator does, so a failure repeated every sync is one line.
    /// </summary>
    public void Record(V1ObjectReference about, string reason, string type, string component, string message)
    {
        var now = time.GetUtcNow().UtcDateTime;
        lock (gate)
        {
            sequence++;
            if (events.LastOrDefault(e => e.InvolvedObject.Uid == about.Uid && e.InvolvedObject.Kind == about.Kind) is { } last
                && last.Reason == reason && last.Message == message && last.Type == type)
            {
                last.Count = (last.Count ?? 1) + 1;
                last.LastTimestamp = now;
                last.Metadata.ResourceVersion = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return;
            }

            events.AddLast(new Corev1Event
            {
                ApiVersion = "v1",
                Kind = "Event",
                Metadata = new V1ObjectMeta
                {
                    Name = $"{about.Name}.{sequence:x8}",
                    NamespaceProperty = about.NamespaceProperty,
                    Uid = Guid.NewGuid().ToString(),
                    ResourceVersion = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    CreationTimestamp = now,
                },
                InvolvedObject = about,
                Reason = reason,
                Message = message,
                Type = type,
                Count = 1,
                FirstTimestamp = now,
                LastTimestamp = now,
                Source = new V1EventSource { Component = component },
                ReportingComponent = component,
                ReportingInstance = component,
            });
            while (events.Count > Limit)
            {
                events.RemoveFirst();
            }
        }
    }

    /// <summary>The events of a namespace (all namespaces when null) that match a field selector, oldest first.</summary>
    /// <exception cref="FormatException">The field selector names a field this server does not index.</exception>
    public List<Corev1Event> List(string? ns, string? fieldSelector)
    {
        var terms = ParseFieldSelector(fieldSelector);
        lock (gate)
        {
            return events.Where(e => (ns is null || e.Metadata.NamespaceProperty == ns) && terms.All(t => t(e))).ToList();
        }
    }

    // Agones records "Pod created" while the GameServer is still Creating; every other event carries the state reached.
    private static (string Reason, string Type, string Component, string Message)? Describe(GameServerState state, string name) => state switch
    {
        GameServerState.Starting => (nameof(GameServerState.Creating), "Normal", "gameserver-controller", $"Pod {name} created"),
        GameServerState.Scheduled => (state.ToString(), "Normal", "gameserver-controller", "Address and port populated"),
        GameServerState.RequestReady or GameServerState.Reserved => (state.ToString(), "Normal", "gameserver-sidecar", "SDK state change"),
        GameServerState.Ready => (state.ToString(), "Normal", "gameserver-controller", "SDK.Ready() complete"),
        GameServerState.Allocated => (state.ToString(), "Normal", "GameServerAllocation-Allocator", "Allocated"),
        GameServerState.Shutdown => (state.ToString(), "Normal", "gameserver-controller", "Deletion started"),
        GameServerState.Unhealthy => (state.ToString(), "Warning", "health-controller", "Issue with Gameserver pod"),
        GameServerState.Error => (state.ToString(), "Warning", "gameserver-controller", $"error creating Pod for GameServer {name}"),
        _ => null,
    };

    // The fields the API server indexes for Events (pkg/registry/core/event/strategy.go, ToSelectableFields in
    // kubernetes/kubernetes), with = and == (and != for the negation).
    private static List<Func<Corev1Event, bool>> ParseFieldSelector(string? text)
    {
        var terms = new List<Func<Corev1Event, bool>>();
        foreach (var raw in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var negate = raw.Contains("!=", StringComparison.Ordinal);
            var parts = raw.Split(negate ? "!=" : raw.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (parts.Length != 2)
            {
                throw new FormatException($"invalid field selector term \"{raw}\": use field=value");
            }

            var (field, value) = (parts[0].Trim(), parts[1].Trim());
            Func<Corev1Event, string?> read = field switch
            {
                "involvedObject.kind" => e => e.InvolvedObject.Kind,
                "involvedObject.namespace" => e => e.InvolvedObject.NamespaceProperty,
                "involvedObject.name" => e => e.InvolvedObject.Name,
                "involvedObject.uid" => e => e.InvolvedObject.Uid,
                "involvedObject.apiVersion" => e => e.InvolvedObject.ApiVersion,
                "involvedObject.resourceVersion" => e => e.InvolvedObject.ResourceVersion,
                "involvedObject.fieldPath" => e => e.InvolvedObject.FieldPath,
                "reason" => e => e.Reason,
                "type" => e => e.Type,
                "source" => e => e.Source?.Component,
                "reportingComponent" => e => e.ReportingComponent,
                "metadata.name" => e => e.Metadata.Name,
                "metadata.namespace" => e => e.Metadata.NamespaceProperty,
                _ => throw new FormatException($"field label not supported: {field}"),
            };
            terms.Add(e => (read(e) ?? "") == value != negate);
        }

        return terms;
    }
}
