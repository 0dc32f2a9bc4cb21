using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using k8s.Autorest;
using Microsoft.Extensions.Options;
using SdAgones.Contracts.Profiles;
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
/// Per profile: each profile has its own line, the first in it get the Ready runtimes of its Fleet, and the selector
/// pins that Fleet; the lock and the "my existing runtime" selector stay the person's, so a person never holds two.
/// </summary>
internal sealed partial class RuntimeAllocator(
    AgonesClient agones,
    ProfileCatalog profiles,
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

    /// <summary>
    /// The person's runtime if they have or can get one now (of <paramref name="profile"/>, the default when null; a
    /// runtime they already hold is returned whatever its profile); otherwise where they stand in that profile's line.
    /// </summary>
    public Task<AllocationOutcome> EnsureAsync(string user, RuntimeProfile? profile = null)
    {
        profile ??= profiles.Default;

        // One attempt per person per instance, whatever the profile: later callers join it. The attempt runs on the
        // caller's thread up to its first await (no hop to the thread pool); only the caller whose task was stored starts it.
        var mine = new TaskCompletionSource<AllocationOutcome>();
        var attempt = inflight.GetOrAdd(user, mine.Task);
        if (attempt == mine.Task)
        {
            _ = RunAsync(user, profile, mine);
        }

        return attempt;
    }

    private async Task RunAsync(string user, RuntimeProfile profile, TaskCompletionSource<AllocationOutcome> attempt)
    {
        try
        {
            var outcome = await AttemptAsync(user, profile);
            inflight.TryRemove(new KeyValuePair<string, Task<AllocationOutcome>>(user, attempt.Task));
            attempt.SetResult(outcome);
        }
        catch (Exception ex)
        {
            inflight.TryRemove(new KeyValuePair<string, Task<AllocationOutcome>>(user, attempt.Task));
            attempt.SetException(ex);
        }
    }

    private async Task<AllocationOutcome> AttemptAsync(string user, RuntimeProfile profile)
    {
        using var activity = GatewayTelemetry.Source.StartActivity("allocate");
        Forwarding.GatewayRequestSpan.TagPerson(activity, user);
        activity?.SetTag("profile", profile.Slug);
        long? position = null;
        try
        {
            if (directory.Recall(user) is { } known)
            {
                return AllocationOutcome.Ready(known);
            }

            var token = Guid.NewGuid().ToString("N");
            var admission = await lifecycle.AdmitAsync(user, token, options.Value.LockTtl, AdmitBelow(user, profile), profile);
            if (admission.Result == AdmissionResult.Bound)
            {
                return await BoundAsync(user, admission.Session, profile);
            }

            position = admission.Rank;
            if (admission.Result == AdmissionResult.Queued)
            {
                return AllocationOutcome.Waiting(StageWhileWaiting(profile), position);
            }

            if (admission.Result == AdmissionResult.PeerHolds)
            {
                return await WaitForPeerAsync(user, position);
            }

            var bound = false;
            try
            {
                // The script checked for a session under the same lock every binder takes, so nobody bound one since.
                (var outcome, bound) = await AllocateAsync(user, position, token, profile);
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
            telemetry.Allocations.Add(1, [new("outcome", "cache_unavailable"), new("profile", profile.Slug)]);
            return AllocationOutcome.Unavailable("The session store is unavailable right now; please retry in a few seconds.", position);
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpOperationException or TaskCanceledException)
        {
            LogAgonesDown(ex.Message);
            telemetry.Allocations.Add(1, [new("outcome", "agones_unavailable"), new("profile", profile.Slug)]);
            return AllocationOutcome.Unavailable("The runtime service (Agones) did not answer; your request will be retried.", position);
        }
    }

    /// <summary>The person has a session already: theirs if its runtime lives, else it is given back and they ask again.</summary>
    private async Task<AllocationOutcome> BoundAsync(string user, RuntimeSession? session, RuntimeProfile profile)
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
        return AllocationOutcome.Waiting(StageWhileWaiting(profile), null);
    }

    /// <summary>Asks Agones for the person's runtime of <paramref name="profile"/> and binds it (letting go of the lock in the same script); Bound says whether it did.</summary>
    private async Task<(AllocationOutcome Outcome, bool Bound)> AllocateAsync(string user, long? position, string token, RuntimeProfile profile)
    {
        var label = PersonLabel.For(user);
        var spec = new GameServerAllocationSpec
        {
            Selectors =
            [
                new GameServerSelector { MatchLabels = new() { [AgonesApi.UserLabel] = label }, GameServerState = GameServerState.Allocated },
                new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = profile.FleetName }, GameServerState = GameServerState.Ready },
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

        // What the person held before asking: the informer may see this allocation's own change before the answer is read.
        var heldBefore = watcher.All.Where(s => s.State == GameServerState.Allocated && s.AllocatedUser == user).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var status = await agones.AllocateAsync(spec, CancellationToken.None);
            if (status.State == AllocationState.Contention && attempt < options.Value.ContentionRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * (attempt + 1) + Random.Shared.Next(20)), time);
                continue;
            }

            telemetry.Allocations.Add(1, [new("outcome", status.State), new("profile", profile.Slug)]);
            if (status.State != AllocationState.Allocated)
            {
                return (AllocationOutcome.Waiting(StageWhileWaiting(profile), position), false);
            }

            var owner = status.Metadata?.Annotations?.GetValueOrDefault(AgonesApi.UserAnnotation);
            if (owner != user || status.GameServerName is null || RuntimeAddress.WebUI(status) is not { } target)
            {
                LogUnexpectedAllocation(user, status.GameServerName ?? "?", owner ?? "?");
                return (AllocationOutcome.Unavailable("The runtime service answered unexpectedly; please retry.", position), false);
            }

            if (ProfileOfAnswer(user, status, profile, heldBefore) is not { } got)
            {
                // Not the asked profile's Fleet and not a runtime the person already held: given straight back, never bound.
                var fleet = status.Metadata?.Labels?.GetValueOrDefault(AgonesApi.FleetLabel);
                LogWrongFleet(user, status.GameServerName, fleet ?? "?", profile.FleetName);
                await lifecycle.ReleaseAsync(user, status.GameServerName, ReleaseReason.Orphan, CancellationToken.None,
                    new ReleaseDetail(AllocatedAt: time.GetUtcNow(), Profile: profiles.ForFleet(fleet)?.Slug ?? profile.Slug));
                telemetry.Allocations.Add(1, [new("outcome", "wrong_fleet"), new("profile", profile.Slug)]);
                return (AllocationOutcome.Unavailable("The runtime service answered with a runtime of another profile; it was given back, please retry.", position), false);
            }

            var session = new RuntimeSession(user, status.GameServerName, target, time.GetUtcNow(), status.NodeName, got.Slug);
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
                // The peer may have bound between the two reads: its bind script lets go of the lock as it binds.
                if (await store.GetAsync(user) is { } late)
                {
                    directory.Remember(late);
                    return AllocationOutcome.Ready(late);
                }

                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        }

        return AllocationOutcome.Waiting(WaitStage.Allocating, position);
    }

    /// <summary>
    /// The profile the answered GameServer is bound under: the asked one when it is of the asked profile's Fleet; the
    /// profile of its Fleet when it is a runtime the person already held (Agones' "my existing runtime" selector, which
    /// matches any Fleet, so a person keeps one runtime); null otherwise (a GameServer the selector should not have given).
    /// </summary>
    private RuntimeProfile? ProfileOfAnswer(string user, GameServerAllocationStatus status, RuntimeProfile asked, HashSet<string> heldBefore)
    {
        var fleet = status.Metadata?.Labels?.GetValueOrDefault(AgonesApi.FleetLabel);
        if (fleet == asked.FleetName)
        {
            return asked;
        }

        return heldBefore.Contains(status.GameServerName!) && profiles.ForFleet(fleet) is { } other && other.Allows(user) ? other : null;
    }

    /// <summary>
    /// The 0-based rank in line below which the person takes the allocation lock now: the number of Ready runtimes of
    /// the profile's Fleet (the first that many in its line), or everyone when they hold an Allocated GameServer the cache
    /// forgot (after a cache loss). With no Ready runtime nobody asks Agones, so a person waiting through a warm-up makes
    /// no allocation attempt (and no <c>allocating</c> event) per poll; before the watcher's first list the first in line may try.
    /// </summary>
    private long AdmitBelow(string user, RuntimeProfile profile)
    {
        if (!watcher.IsSynced)
        {
            return 1;
        }

        var ready = 0;
        foreach (var server in watcher.All)
        {
            if (server.State == GameServerState.Ready && server.Fleet == profile.FleetName)
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

    /// <summary>Starting when runtimes of the profile's Fleet are on their way (a scale-up), queued otherwise.</summary>
    private WaitStage StageWhileWaiting(RuntimeProfile profile) =>
        watcher.All.Any(s => GameServerLifecycle.IsStarting(s.State) && s.Fleet == profile.FleetName)
            ? WaitStage.Starting
            : WaitStage.Queued;

    [LoggerMessage(Level = LogLevel.Information, Message = "Allocated runtime {Runtime} to {User}")]
    private partial void LogAllocated(string user, string runtime);

    [LoggerMessage(Level = LogLevel.Error, Message = "Allocation for {User} returned {Runtime} owned by {Owner}; not bound")]
    private partial void LogUnexpectedAllocation(string user, string runtime, string owner);

    [LoggerMessage(Level = LogLevel.Error, Message = "Allocation for {User} returned {Runtime} of Fleet {Fleet}, not {Wanted}; given back")]
    private partial void LogWrongFleet(string user, string runtime, string fleet, string wanted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache unavailable during allocation: {Reason}")]
    private partial void LogCacheDown(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agones did not answer during allocation: {Reason}")]
    private partial void LogAgonesDown(string reason);
}
