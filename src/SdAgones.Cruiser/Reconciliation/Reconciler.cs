using System.Globalization;
using Microsoft.Extensions.Options;
using SdAgones.Contracts.Profiles;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Profiles;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Cruiser.Reconciliation;

/// <summary>
/// Makes the cache agree with Agones, the source of truth. Sessions whose GameServer is gone or failing are dropped.
/// Allocated GameServers nobody's session points at are orphans (a gateway died mid-allocation, a duplicate) and are
/// shut down after a grace period — unless the cache itself lost its data (its epoch mark is missing), in which
/// case the sessions are rebuilt from the GameServers' annotations (each in its Fleet's profile). Every profile's
/// Fleet is looked at. Safe to rerun.
/// </summary>
public sealed partial class Reconciler(
    SessionStore store,
    LeaseStore marks,
    SessionLifecycle lifecycle,
    AgonesClient agones,
    ProfileCatalog profiles,
    IOptions<ReconcileOptions> options,
    TimeProvider time,
    ILogger<Reconciler> logger)
{
    private readonly string epoch = Guid.NewGuid().ToString("N");

    public sealed record Result(int Dropped, int Orphans, int Rebuilt, int StaleQueueEntries);

    public async Task<Result> RunAsync(CancellationToken ct)
    {
        using var activity = CruiserTelemetry.Source.StartActivity("reconcile");
        var now = time.GetUtcNow();
        var cacheLostData = await marks.EpochAsync() is null;

        // Sessions first, GameServers second: a session is bound only after Agones answered Allocated, so every session
        // read here has its GameServer Allocated in the list read after it. Read the other way round, a person bound
        // between the two reads would meet their GameServer still Ready and lose it as "gone".
        var sessions = await store.ListAsync();
        var servers = (await agones.ListGameServersAsync(ProfileOfGameServer.AnyFleet, ct)).Items
            .Where(s => profiles.ProfileOf(s) is not null) // every profile's Fleet, nothing else in the namespace
            .ToDictionary(s => s.Name, StringComparer.Ordinal);

        var dropped = 0;
        var bound = new HashSet<string>(StringComparer.Ordinal);
        foreach (var view in sessions)
        {
            var session = view.Session;
            if (servers.TryGetValue(session.Runtime, out var server) && server.State is { } state && GameServerLifecycle.IsServing(state)
                && server.AllocatedUser == session.User)
            {
                bound.Add(session.Runtime);
                continue;
            }

            if (await lifecycle.ReleaseAsync(session, ReleaseReason.RuntimeGone, ct))
            {
                dropped++;
                LogDropped(session.User, session.Runtime);
            }
        }

        var orphans = 0;
        var rebuilt = 0;
        var users = sessions.Select(v => v.Session.User).ToHashSet(StringComparer.Ordinal);
        foreach (var server in servers.Values.Where(s => s.State == GameServerState.Allocated && !bound.Contains(s.Name)))
        {
            var user = server.AllocatedUser;
            if (cacheLostData && user is not null && !users.Contains(user) && RuntimeAddress.WebUI(server) is { } target)
            {
                await lifecycle.BindRuntimeAsync(new RuntimeSession(user, server.Name, target, AllocatedAt(server) ?? now, server.Status?.NodeName,
                    profiles.ProfileOf(server)!.Slug));
                users.Add(user);
                rebuilt++;
                LogRebuilt(user, server.Name);
                continue;
            }

            if (now - (AllocatedAt(server) ?? now) < options.Value.OrphanGrace)
            {
                continue;
            }

            // The person may have been bound to it between our two reads: the release checks once more, atomically.
            if (!await lifecycle.ReleaseAsync(user ?? "", server.Name, ReleaseReason.Orphan, ct, new ReleaseDetail(AllocatedAt: AllocatedAt(server))))
            {
                continue;
            }

            orphans++;
            LogOrphan(server.Name, user ?? "nobody");
        }

        await marks.MarkEpochAsync(epoch);
        var stale = await lifecycle.DropStaleQueueEntriesAsync(now - options.Value.QueueEntryTtl);
        return new Result(dropped, orphans, rebuilt, stale);
    }

    private static DateTimeOffset? AllocatedAt(GameServer server) =>
        server.Metadata.Annotations is { } a
        && (a.TryGetValue(AgonesApi.AllocatedAtAnnotation, out var at) || a.TryGetValue(AgonesApi.LastAllocatedAnnotation, out at))
        && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Session of {User} pointed at {Runtime}, which is gone: dropped")]
    private partial void LogDropped(string user, string runtime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orphaned runtime {Runtime} (allocated to {User}, no session): shut down")]
    private partial void LogOrphan(string runtime, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache lost its data: session of {User} rebuilt from runtime {Runtime}")]
    private partial void LogRebuilt(string user, string runtime);
}
