using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using k8s.Autorest;
using Microsoft.Extensions.Options;
using SdAgones.Gateway.Sessions;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Gateway.Allocation;

/// <summary>
/// Gives a person exactly one runtime. Within an instance, concurrent requests share one attempt; across instances,
/// a token-checked lock in the cache; and should that lock expire mid-flight, Agones' own "return my existing
/// runtime" selector hands back the same GameServer. People queue FIFO; the first in line get the Ready runtimes.
/// </summary>
internal sealed partial class RuntimeAllocator(
    AgonesClient agones,
    SessionStore store,
    SessionLifecycle lifecycle,
    SessionDirectory directory,
    GameServerWatcher watcher,
    IOptions<AllocationOptions> options,
    TimeProvider time,
    GatewayTelemetry telemetry,
    ILogger<RuntimeAllocator> logger)
{
    private readonly ConcurrentDictionary<string, Task<AllocationOutcome>> inflight = new(StringComparer.Ordinal);

    /// <summary>The person's runtime if they have or can get one now; otherwise where they stand in line.</summary>
    public Task<AllocationOutcome> EnsureAsync(string user)
    {
        // One attempt per person per instance: later callers join it.
        var attempt = inflight.GetOrAdd(user, u => Task.Run(() => AttemptAsync(u)));
        _ = attempt.ContinueWith(_ => inflight.TryRemove(new KeyValuePair<string, Task<AllocationOutcome>>(user, attempt)), TaskScheduler.Default);
        return attempt;
    }

    private async Task<AllocationOutcome> AttemptAsync(string user)
    {
        using var activity = GatewayTelemetry.Source.StartActivity("allocate");
        Forwarding.GatewayRequestSpan.TagPerson(activity, user);
        long? position = null;
        try
        {
            if (await directory.FindAsync(user) is { } existing)
            {
                return AllocationOutcome.Ready(existing);
            }

            position = await lifecycle.JoinQueueAsync(user);
            if (!MayAllocateNow(user, position.Value))
            {
                return AllocationOutcome.Waiting(StageWhileWaiting(), position);
            }

            var token = Guid.NewGuid().ToString("N");
            if (!await lifecycle.BeginAllocationAsync(user, token, options.Value.LockTtl))
            {
                return await WaitForPeerAsync(user, position);
            }

            try
            {
                // Another instance may have finished between our look-up and the lock.
                if (await store.GetAsync(user) is { } bound)
                {
                    directory.Remember(bound);
                    return AllocationOutcome.Ready(bound);
                }

                return await AllocateAsync(user, position);
            }
            finally
            {
                await lifecycle.EndAllocationAsync(user, token);
            }
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            LogCacheDown(ex.Message);
            telemetry.Allocations.Add(1, new KeyValuePair<string, object?>("outcome", "cache_unavailable"));
            return AllocationOutcome.Unavailable("The session store is unavailable right now; please retry in a few seconds.", position);
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpOperationException or TaskCanceledException)
        {
            LogAgonesDown(ex.Message);
            telemetry.Allocations.Add(1, new KeyValuePair<string, object?>("outcome", "agones_unavailable"));
            return AllocationOutcome.Unavailable("The runtime service (Agones) did not answer; your request will be retried.", position);
        }
    }

    private async Task<AllocationOutcome> AllocateAsync(string user, long? position)
    {
        var label = PersonLabel.For(user);
        var spec = new GameServerAllocationSpec
        {
            Selectors =
            [
                new GameServerSelector { MatchLabels = new() { [AgonesApi.UserLabel] = label }, GameServerState = GameServerState.Allocated },
                new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = agones.FleetName }, GameServerState = GameServerState.Ready },
            ],
            Metadata = new AllocationMetadata
            {
                Labels = new() { [AgonesApi.UserLabel] = label },
                Annotations = new()
                {
                    [AgonesApi.UserAnnotation] = user,
                    [AgonesApi.AllocatedAtAnnotation] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
                },
            },
        };

        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var status = await agones.AllocateAsync(spec, CancellationToken.None);
            if (status.State == AllocationState.Contention && attempt < options.Value.ContentionRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * (attempt + 1) + Random.Shared.Next(20)), time);
                continue;
            }

            telemetry.Allocations.Add(1, new KeyValuePair<string, object?>("outcome", status.State));
            if (status.State != AllocationState.Allocated)
            {
                return AllocationOutcome.Waiting(StageWhileWaiting(), position);
            }

            var owner = status.Metadata?.Annotations?.GetValueOrDefault(AgonesApi.UserAnnotation);
            if (owner != user || status.GameServerName is null || RuntimeAddress.WebUI(status) is not { } target)
            {
                LogUnexpectedAllocation(user, status.GameServerName ?? "?", owner ?? "?");
                return AllocationOutcome.Unavailable("The runtime service answered unexpectedly; please retry.", position);
            }

            var session = new RuntimeSession(user, status.GameServerName, target, time.GetUtcNow(), status.NodeName);
            await lifecycle.BindRuntimeAsync(session);
            directory.Remember(session);
            telemetry.AllocationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            LogAllocated(user, session.Runtime);
            return AllocationOutcome.Ready(session);
        }
    }

    private async Task<AllocationOutcome> WaitForPeerAsync(string user, long? position)
    {
        var deadline = time.GetUtcNow() + options.Value.WaitForPeer;
        while (time.GetUtcNow() < deadline)
        {
            if (await store.GetAsync(user) is { } session)
            {
                directory.Remember(session);
                return AllocationOutcome.Ready(session);
            }

            if (!await store.IsLockedAsync(user))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        }

        return AllocationOutcome.Waiting(WaitStage.Allocating, position);
    }

    /// <summary>
    /// Whether the person at <paramref name="position"/> (0-based in the line) should take the allocation lock now: one
    /// of the first <c>Ready</c> people in line, or holding an Allocated GameServer the cache forgot (after a cache loss).
    /// With no Ready runtime nobody asks Agones, so a person waiting through a warm-up makes no allocation attempt (and no
    /// <c>allocating</c> event) per poll; before the watcher's first list the first in line may try.
    /// </summary>
    private bool MayAllocateNow(string user, long position)
    {
        if (!watcher.IsSynced)
        {
            return position == 0;
        }

        var ready = 0;
        foreach (var server in watcher.All)
        {
            if (server.State == GameServerState.Ready)
            {
                ready++;
            }
            else if (server.State == GameServerState.Allocated && server.AllocatedUser == user)
            {
                return true;
            }
        }

        return position < ready;
    }

    /// <summary>Starting when runtimes are on their way (a scale-up), queued otherwise.</summary>
    private WaitStage StageWhileWaiting() =>
        watcher.All.Any(s => GameServerLifecycle.IsStarting(s.State))
            ? WaitStage.Starting
            : WaitStage.Queued;

    [LoggerMessage(Level = LogLevel.Information, Message = "Allocated runtime {Runtime} to {User}")]
    private partial void LogAllocated(string user, string runtime);

    [LoggerMessage(Level = LogLevel.Error, Message = "Allocation for {User} returned {Runtime} owned by {Owner}; not bound")]
    private partial void LogUnexpectedAllocation(string user, string runtime, string owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache unavailable during allocation: {Reason}")]
    private partial void LogCacheDown(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agones did not answer during allocation: {Reason}")]
    private partial void LogAgonesDown(string reason);
}
