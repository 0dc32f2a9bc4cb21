using System.Diagnostics;
using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Cruiser.Idle;

/// <summary>
/// Gives back runtimes idle past the timeout. A pass reads only the expired part of the last-seen index, so its cost
/// grows with the sessions that expired, not with all sessions. Busy runtimes are bumped, not reclaimed; activity
/// that lands before the atomic compare-and-delete wins. A profile may have its own idle timeout: a pass reads the
/// range expired under the shortest one and keeps the sessions whose profile allows them longer.
/// </summary>
public sealed partial class IdleReaper(
    SessionStore store,
    SessionLifecycle lifecycle,
    BusyProbe busy,
    SdAgones.Contracts.Profiles.ProfileCatalog profiles,
    IOptions<IdleOptions> options,
    TimeProvider time,
    CruiserTelemetry telemetry,
    ILogger<IdleReaper> logger)
{
    private const int BatchSize = 100;

    /// <summary>One pass; returns how many runtimes were reclaimed.</summary>
    public async Task<int> RunPassAsync(CancellationToken ct)
    {
        using var activity = CruiserTelemetry.Source.StartActivity("idle.pass");
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var deadline = now - Shortest();
        var examined = 0;
        var reclaimed = 0;
        var skipped = new HashSet<string>(StringComparer.Ordinal);

        while (!ct.IsCancellationRequested)
        {
            var expired = (await store.IdleSinceAsync(deadline, BatchSize + skipped.Count))
                .Where(e => !skipped.Contains(e.User)).ToList();
            if (expired.Count == 0)
            {
                break;
            }

            foreach (var (user, lastSeen) in expired)
            {
                examined++;
                switch (await ReclaimOneAsync(user, lastSeen, deadline, now, ct))
                {
                    case true:
                        reclaimed++;
                        break;
                    case false:
                        skipped.Add(user);
                        break;
                }
            }
        }

        telemetry.SessionsExamined.Record(examined);
        telemetry.PassDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        activity?.SetTag("examined", examined);
        activity?.SetTag("reclaimed", reclaimed);
        return reclaimed;
    }

    /// <summary>True: reclaimed. False: kept (busy, or the reclaim failed) and not to be looked at again this pass.
    /// Null: the entry left the expired range (bumped or removed).</summary>
    private async Task<bool?> ReclaimOneAsync(string user, DateTimeOffset lastSeen, DateTimeOffset deadline, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            var session = await store.GetAsync(user);
            if (session is null)
            {
                await store.ForgetLastSeenAsync(user); // an index entry with no session behind it
                return null;
            }

            var timeout = lifecycle.IdleTimeoutOf(lifecycle.ProfileOf(session));
            if (lastSeen > now - timeout)
            {
                return false; // its profile allows it longer: not idle yet, and not looked at again this pass
            }

            deadline = now - timeout;
            if (await busy.IsBusyAsync(session, ct))
            {
                await store.TouchAsync(user, now);
                LogBusy(user, session.Runtime);
                return null;
            }

            if (!await lifecycle.ReleaseAsync(session, ReleaseReason.Idle, ct, new ReleaseDetail(IdleSince: deadline)))
            {
                return null; // activity won the race
            }

            var idleFor = timeout;
            telemetry.ReclaimLag.Record(Math.Max(0, (time.GetUtcNow() - (lastSeen + idleFor)).TotalSeconds));
            LogReclaimed(user, session.Runtime, (now - lastSeen).TotalSeconds);
            return true;
        }
        catch (Exception ex) when (CacheFault.Is(ex) || ex is HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            LogReclaimFailed(user, ex.Message);
            return false;
        }
    }

    /// <summary>The shortest idle timeout of any profile (the platform's when no profile has its own).</summary>
    private TimeSpan Shortest() =>
        profiles.All.Select(p => p.IdleTimeout ?? options.Value.Timeout).DefaultIfEmpty(options.Value.Timeout).Min();

    [LoggerMessage(Level = LogLevel.Information, Message = "Reclaimed runtime {Runtime} of {User}, idle for {IdleSeconds:F0} s")]
    private partial void LogReclaimed(string user, string runtime, double idleSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime {Runtime} of {User} is generating: kept and bumped")]
    private partial void LogBusy(string user, string runtime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not reclaim the runtime of {User}: {Reason}; next pass retries")]
    private partial void LogReclaimFailed(string user, string reason);
}
