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
/// runtime" selector hands back the same GameServer. People queue FIFO (or by fair share); the first in line get the
/// Ready runtimes. A new person costs two cache round trips: one script to check, queue and lock
/// (<see cref="SessionLifecycle.AdmitAsync"/>), one to bind and let go of the lock.
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
        // One attempt per person per instance: later callers join it. The attempt runs on the caller's thread up to its
        // first await (no hop to the thread pool); only the caller whose task was stored starts it.
        var mine = new TaskCompletionSource<AllocationOutcome>();
        var attempt = inflight.GetOrAdd(user, mine.Task);
        if (attempt == mine.Task)
        {
            _ = RunAsync(user, mine);
        }

        return attempt;
    }

    private async Task RunAsync(string user, TaskCompletionSource<AllocationOutcome> attempt)
    {
        try
        {
            var outcome = await AttemptAsync(user);
            inflight.TryRemove(new KeyValuePair<string, Task<AllocationOutcome>>(user, attempt.Task));
            attempt.SetResult(outcome);
        }
        catch (Exception ex)
        {
            inflight.TryRemove(new KeyValuePair<string, Task<AllocationOutcome>>(user, attempt.Task));
            attempt.SetException(ex);
        }
    }

    private async Task<AllocationOutcome> AttemptAsync(string user)
    {
        using var activity = GatewayTelemetry.Source.StartActivity("allocate");
        Forwarding.GatewayRequestSpan.TagPerson(activity, user);
        long? position = null;
        try
        {
            if (directory.Recall(user) is { } known)
            {
                return AllocationOutcome.Ready(known);
            }

            var fleet = agones.FleetName;
            var token = Guid.NewGuid().ToString("N");
            var admission = await lifecycle.AdmitAsync(user, token, options.Value.LockTtl, AdmitBelow(user, fleet), fleet);
            if (admission.Result == AdmissionResult.Bound)
            {
                return await BoundAsync(user, admission.Session);
            }

            position = admission.Rank;
            if (admission.Result == AdmissionResult.Queued)
            {
                return AllocationOutcome.Waiting(StageWhileWaiting(), position);
            }

            if (admission.Result == AdmissionResult.PeerHolds)
            {
                return await WaitForPeerAsync(user, position);
            }

            var bound = false;
            try
            {
                // The script checked for a session under the same lock every binder takes, so nobody bound one since.
                (var outcome, bound) = await AllocateAsync(user, position, token, fleet);
                return outcome;
            }
            finally
            {
                if (!bound)
                {
                    await lifecycle.EndAllocationAsync(user, token);
                }
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

    /// <summary>The person has a session already: theirs if its runtime lives, else it is given back and they ask again.</summary>
    private async Task<AllocationOutcome> BoundAsync(string user, RuntimeSession? session)
    {
        if (session is null)
        {
            return AllocationOutcome.Unavailable("Your session record could not be read; please retry in a few seconds.");
        }

        if (directory.IsAlive(session.Runtime))
        {
            directory.Remember(session);
            return AllocationOutcome.Ready(session);
        }

        await directory.ReleaseAsync(session, ReleaseReason.RuntimeGone);
        return AllocationOutcome.Waiting(StageWhileWaiting(), null);
    }

    /// <summary>Asks Agones for the person's runtime and binds it (letting go of the lock in the same script); Bound says whether it did.</summary>
    private async Task<(AllocationOutcome Outcome, bool Bound)> AllocateAsync(string user, long? position, string token, string fleet)
    {
        var label = PersonLabel.For(user);
        var spec = new GameServerAllocationSpec
        {
            Selectors =
            [
                new GameServerSelector { MatchLabels = new() { [AgonesApi.UserLabel] = label }, GameServerState = GameServerState.Allocated },
                new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = fleet }, GameServerState = GameServerState.Ready },
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
                return (AllocationOutcome.Waiting(StageWhileWaiting(), position), false);
            }

            var owner = status.Metadata?.Annotations?.GetValueOrDefault(AgonesApi.UserAnnotation);
            if (owner != user || status.GameServerName is null || RuntimeAddress.WebUI(status) is not { } target)
            {
                LogUnexpectedAllocation(user, status.GameServerName ?? "?", owner ?? "?");
                return (AllocationOutcome.Unavailable("The runtime service answered unexpectedly; please retry.", position), false);
            }

            var session = new RuntimeSession(user, status.GameServerName, target, time.GetUtcNow(), status.NodeName);
            await lifecycle.BindRuntimeAsync(session, token);
            directory.Remember(session);
            telemetry.AllocationDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            LogAllocated(user, session.Runtime);
            return (AllocationOutcome.Ready(session), true);
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
    /// The 0-based rank in line below which the person takes the allocation lock now: the number of Ready runtimes of
    /// <paramref name="fleet"/> (the first that many in line), or everyone when they hold an Allocated GameServer the cache
    /// forgot (after a cache loss). With no Ready runtime nobody asks Agones, so a person waiting through a warm-up makes
    /// no allocation attempt (and no <c>allocating</c> event) per poll; before the watcher's first list the first in line may try.
    /// </summary>
    private long AdmitBelow(string user, string fleet)
    {
        if (!watcher.IsSynced)
        {
            return 1;
        }

        var ready = 0;
        foreach (var server in watcher.All)
        {
            if (server.State == GameServerState.Ready && InFleet(server, fleet))
            {
                ready++;
            }
            else if (server.State == GameServerState.Allocated && server.AllocatedUser == user)
            {
                return long.MaxValue;
            }
        }

        return ready;
    }

    /// <summary>Whether the GameServer belongs to the Fleet (by Agones' fleet label; one without the label counts, as before).</summary>
    private static bool InFleet(GameServer server, string fleet) =>
        server.Metadata?.Labels?.TryGetValue(AgonesApi.FleetLabel, out var name) != true || name == fleet;

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
