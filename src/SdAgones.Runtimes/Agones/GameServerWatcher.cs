using System.Collections.Concurrent;
using k8s;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SdAgones.Contracts.Profiles;
using SdAgones.Runtimes.Profiles;

namespace SdAgones.Runtimes.Agones;

/// <summary>
/// An informer: a local copy of the GameServers of every profile's Fleet kept current by list + watch, re-listing
/// whenever the watch breaks. The gateway learns within a second that a runtime died instead of waiting for a 502.
/// </summary>
public sealed partial class GameServerWatcher(
    AgonesClient agones, ProfileCatalog profiles, TimeProvider time, ILogger<GameServerWatcher> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, GameServer> servers = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Raised for every change seen and only for a change; the second argument is the GameServer after the change (or
    /// as deleted).
    /// </summary>
    public event Action<WatchEventType, GameServer>? Changed;

    /// <summary>True once the first list has arrived.</summary>
    public bool IsSynced => synced.Task.IsCompleted;

    public GameServer? Find(string name) => servers.TryGetValue(name, out var server) ? server : null;

    public ICollection<GameServer> All => servers.Values;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var list = await agones.ListGameServersAsync(labelSelector: ProfileOfGameServer.AnyFleet, stoppingToken);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var server in list.Items.Where(Ours))
                {
                    seen.Add(server.Name);
                    if (Store(server) is { } type)
                    {
                        Changed?.Invoke(type, server);
                    }
                }

                foreach (var gone in servers.Keys.Where(k => !seen.Contains(k)).ToList())
                {
                    if (servers.TryRemove(gone, out var removed))
                    {
                        Changed?.Invoke(WatchEventType.Deleted, removed);
                    }
                }

                synced.TrySetResult();
                backoff = TimeSpan.FromMilliseconds(200);
                await foreach (var (type, server) in agones.WatchGameServersAsync(
                                   list.Metadata.ResourceVersion, ProfileOfGameServer.AnyFleet, stoppingToken))
                {
                    if (!Ours(server))
                    {
                        continue;
                    }

                    if (type == WatchEventType.Deleted)
                    {
                        if (servers.TryRemove(server.Name, out _))
                        {
                            Changed?.Invoke(type, server);
                        }
                    }
                    else if (type is WatchEventType.Added or WatchEventType.Modified && Store(server) is { } seenAs)
                    {
                        Changed?.Invoke(seenAs, server);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (WatchExpiredException ex)
            {
                LogWatchExpired(ex.Message); // nothing is wrong: list again at once, as client-go's reflector does
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWatchBroken(ex.Message, backoff.TotalMilliseconds);
                await Task.Delay(backoff, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5000));
            }
        }
    }

    /// <summary>A GameServer of one of the profiles' Fleets (others in the namespace are not the platform's).</summary>
    private bool Ours(GameServer server) => profiles.ProfileOf(server) is not null;

    /// <summary>The Ready GameServers of <paramref name="profile"/>'s Fleet.</summary>
    public int ReadyOf(RuntimeProfile profile) => servers.Values.Count(s => s.State == GameServerState.Ready && s.Fleet == profile.FleetName);

    /// <summary>
    /// Keeps the GameServer; returns how it changed, or null when the copy already held this resource version (a
    /// re-list repeats every object, and a notification without a change would wake every listener for nothing).
    /// </summary>
    private WatchEventType? Store(GameServer server)
    {
        var known = servers.TryGetValue(server.Name, out var current);
        if (known && current!.Metadata.ResourceVersion == server.Metadata.ResourceVersion && server.Metadata.ResourceVersion is not null)
        {
            return null;
        }

        servers[server.Name] = server;
        return known ? WatchEventType.Modified : WatchEventType.Added;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GameServer watch expired ({Reason}); re-listing")]
    private partial void LogWatchExpired(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GameServer watch broken ({Reason}); re-listing in {DelayMs} ms")]
    private partial void LogWatchBroken(string reason, double delayMs);
}
