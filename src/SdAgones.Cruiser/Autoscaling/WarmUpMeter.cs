using System.Collections.Concurrent;
using k8s;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Forecast;

namespace SdAgones.Cruiser.Autoscaling;

/// <summary>
/// Measures each Fleet's warm-up: when the GameServer watcher sees a GameServer it knew in an earlier state turn Ready,
/// the time since its <c>metadata.creationTimestamp</c> is noted in <see cref="WarmUpHistory"/>. GameServers first seen
/// already Ready (at start-up or after a re-list) are not measured: when they turned Ready is unknown.
/// </summary>
public sealed partial class WarmUpMeter(GameServerWatcher watcher, WarmUpHistory history, AgonesClient agones, TimeProvider time, ILogger<WarmUpMeter> logger)
    : IHostedService
{
    private readonly ConcurrentDictionary<string, GameServerState?> seen = new(StringComparer.Ordinal);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        watcher.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        watcher.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    /// <summary>Notes the GameServer's warm-up if this change is its turn to Ready; returns the task doing it (tests await it).</summary>
    public Task Observe(WatchEventType type, GameServer server)
    {
        if (type == WatchEventType.Deleted)
        {
            seen.TryRemove(server.Name, out _);
            return Task.CompletedTask;
        }

        var known = seen.TryGetValue(server.Name, out var before);
        seen[server.Name] = server.State;
        if (!known || before == GameServerState.Ready || server.State != GameServerState.Ready || server.Metadata.CreationTimestamp is not { } created)
        {
            return Task.CompletedTask;
        }

        var fleet = server.Metadata.Labels is { } labels && labels.TryGetValue(AgonesApi.FleetLabel, out var label) ? label : agones.FleetName;
        return NoteAsync(fleet, server.Name, new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)), time.GetUtcNow());
    }

    private void OnChanged(WatchEventType type, GameServer server) => _ = Observe(type, server);

    private async Task NoteAsync(string fleet, string name, DateTimeOffset created, DateTimeOffset ready)
    {
        try
        {
            if (await history.NoteAsync(fleet, name, created, ready))
            {
                LogWarmUp(fleet, name, (ready - created).TotalSeconds);
            }
        }
        catch (Exception ex)
        {
            LogNoteFailed(name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Fleet {Fleet}: GameServer {Runtime} Ready {Seconds:0.#} s after its creation")]
    private partial void LogWarmUp(string fleet, string runtime, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warm-up of GameServer {Runtime} not noted: {Reason}")]
    private partial void LogNoteFailed(string runtime, string reason);
}
