using System.Globalization;
using SdAgones.LocalAgones.Fleets;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Sdk;

/// <summary>
/// The sidecar's queue of writes to its GameServer, as Agones v1.56.0 runs it (pkg/sdkserver/sdkserver.go:
/// <c>enqueueState</c>, <c>updateState</c>, <c>updateLabels</c>, <c>updateAnnotations</c>; pkg/util/workerqueue with
/// <c>ConstantRateLimiter(request-rate-limit)</c>, 500 ms by default in cmd/sdk-server/main.go). A call only records
/// the wanted value and queues its kind of write; the write runs after the delay and stores the latest recorded value.
/// A kind already waiting is not queued twice. A state write checks nothing but "Unhealthy" and "being deleted", so
/// Allocated → RequestReady happens when a <c>/ready</c> lands after an allocation.
/// </summary>
internal sealed class SdkWrites(string name, GameServerRegistry registry, TimeSpan delay, TimeProvider time, CancellationToken stopping)
{
    private const string SdkPrefix = AgonesApi.SdkAnnotationPrefix;
    private readonly Lock gate = new();
    private readonly HashSet<Kind> waiting = [];
    private readonly Dictionary<string, string> labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> annotations = new(StringComparer.Ordinal);
    private GameServerState? state;
    private long? reserveSeconds;

    private enum Kind
    {
        State,
        Labels,
        Annotations,
    }

    public void RequestState(GameServerState wanted, long? reserveFor = null)
    {
        lock (gate)
        {
            // enqueueState: once Unhealthy is recorded, the SDK cannot move the GameServer out of it.
            if (state != GameServerState.Unhealthy)
            {
                state = wanted;
            }

            reserveSeconds = wanted == GameServerState.Reserved ? reserveFor : null;
        }

        Queue(Kind.State);
    }

    public void SetLabel(string key, string value)
    {
        lock (gate)
        {
            labels[key] = value;
        }

        Queue(Kind.Labels);
    }

    public void SetAnnotation(string key, string value)
    {
        lock (gate)
        {
            annotations[key] = value;
        }

        Queue(Kind.Annotations);
    }

    private void Queue(Kind kind)
    {
        lock (gate)
        {
            if (!waiting.Add(kind))
            {
                return; // already waiting: the write will take the latest value
            }
        }

        _ = RunAsync(kind);
    }

    private async Task RunAsync(Kind kind)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, stopping);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (gate)
        {
            waiting.Remove(kind);
        }

        switch (kind)
        {
            case Kind.State:
                WriteState();
                break;
            case Kind.Labels:
                WriteMetadata(labels, s => s.Metadata.Labels ??= new Dictionary<string, string>());
                break;
            case Kind.Annotations:
                WriteMetadata(annotations, s => s.Metadata.Annotations ??= new Dictionary<string, string>());
                break;
        }
    }

    private void WriteState()
    {
        GameServerState wanted;
        long? seconds;
        lock (gate)
        {
            if (state is not { } s)
            {
                return;
            }

            wanted = s;
            seconds = reserveSeconds;
        }

        registry.Update(name, server =>
        {
            var current = server.Status?.State;

            // updateState: "If we are currently in shutdown/being deleted, there is no escaping", and an Unhealthy
            // GameServer cannot go back. Nothing else is checked.
            if (current is GameServerState.Shutdown or GameServerState.Unhealthy)
            {
                return;
            }

            server.Status ??= new GameServerStatus();
            server.Status.State = wanted;
            server.Metadata.Annotations ??= new Dictionary<string, string>();
            if (wanted == GameServerState.Reserved)
            {
                server.Metadata.Annotations[SdkServer.ReservedUntil] = seconds is > 0
                    ? time.GetUtcNow().AddSeconds(seconds.Value).ToString("O", CultureInfo.InvariantCulture)
                    : "";
            }
            else
            {
                server.Metadata.Annotations.Remove(SdkServer.ReservedUntil);
            }

            if (wanted == GameServerState.Allocated)
            {
                server.Metadata.Annotations[AgonesApi.LastAllocatedAnnotation] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
            }
        }, checkLifecycle: false);
    }

    private void WriteMetadata(Dictionary<string, string> values, Func<Runtimes.Agones.GameServer, IDictionary<string, string>> target)
    {
        KeyValuePair<string, string>[] snapshot;
        lock (gate)
        {
            snapshot = [.. values];
        }

        registry.Update(name, server =>
        {
            var into = target(server);
            foreach (var (key, value) in snapshot)
            {
                into[SdkPrefix + key] = value;
            }
        }, checkLifecycle: false);
    }
}
