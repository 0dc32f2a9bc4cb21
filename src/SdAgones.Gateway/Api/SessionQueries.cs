using SdAgones.Contracts.Profiles;
using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Profiles;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Gateway.Api;

/// <summary>Where a person stands and what the whole platform looks like: one read behind both the JSON API and the pages.</summary>
internal sealed class SessionQueries(
    SessionStore store, ProfileLines lines, SessionLifecycle lifecycle, NoticeBoard notices, SessionEventLog events, GameServerWatcher watcher)
{
    /// <summary>How many of the newest session events the admin view shows.</summary>
    public const int RecentEvents = 20;

    /// <summary>The person's session; <paramref name="choice"/> is the profile they would get now (shown while they hold none).</summary>
    public async Task<PersonSession> ForPersonAsync(string user, RuntimeProfile? choice = null)
    {
        var session = await store.GetAsync(user);
        var lastSeen = session is null ? null : await store.LastSeenAsync(user);
        long? position = null;
        var profile = session is null ? choice ?? lines.Profiles.Default : lifecycle.ProfileOf(session);
        if (session is null)
        {
            foreach (var (waitingFor, line) in lines.All)
            {
                if (AllocationOutcome.PositionOf(await line.RankAsync(user)) is { } p)
                {
                    (position, profile) = (p, waitingFor);
                    break;
                }
            }
        }

        var timeout = lifecycle.IdleTimeoutOf(profile);
        var server = session is null ? null : watcher.Find(session.Runtime);
        return new PersonSession(
            user,
            session?.Runtime,
            session is not null ? "ready" : position is not null ? "waiting" : "none",
            session is not null ? NextStep.Ready(timeout) : position is not null ? NextStep.Waiting(WaitStage.Queued, position) : NextStep.None,
            session?.AllocatedAt,
            lastSeen,
            lastSeen + timeout,
            IsBusy(server),
            session?.Node,
            position,
            await notices.PeekAsync(user),
            profile.Slug);
    }

    public async Task<PlatformOverview> OverviewAsync()
    {
        var sessions = await store.ListAsync();
        var servers = watcher.All.ToList();
        var rows = sessions.Select(v =>
        {
            var server = watcher.Find(v.Session.Runtime);
            var profile = lifecycle.ProfileOf(v.Session);
            return new SessionRow(v.Session.User, v.Session.Runtime, v.Session.Node, v.Session.AllocatedAt, v.LastSeen,
                v.LastSeen + lifecycle.IdleTimeoutOf(profile), IsBusy(server), server?.State?.ToString(), profile.Slug);
        }).ToList();
        var queue = new List<string>();
        var perProfile = new List<ProfileCounts>();
        foreach (var (profile, line) in lines.All)
        {
            var waiting = await line.QueueAsync();
            queue.AddRange(waiting);
            perProfile.Add(new ProfileCounts(profile.Slug, profile.DisplayName, profile.FleetName,
                Count(servers.Where(s => s.Fleet == profile.FleetName).ToList()), waiting.Count, waiting));
        }

        return new PlatformOverview(rows, queue, Count(servers), await events.RecentAsync(RecentEvents), perProfile);
    }

    private static FleetCounts Count(List<GameServer> servers) => new(
        servers.Count(s => s.State == GameServerState.Ready),
        servers.Count(s => s.State == GameServerState.Allocated),
        servers.Count(s => GameServerLifecycle.IsStarting(s.State)),
        servers.Count);

    private static bool IsBusy(GameServer? server) =>
        server?.Metadata.Annotations is { } annotations && annotations.TryGetValue(AgonesApi.BusyAnnotation, out var busy) && busy == "true";
}

/// <summary>
/// A person's own view (<c>GET /_sd/api/session</c>): <c>State</c> is <c>ready</c>, <c>waiting</c> or <c>none</c>,
/// <c>Next</c> says what happens next in that state, <c>QueuePosition</c> counts from 1, and <c>Notice</c> says why
/// the last runtime was given back, <c>Profile</c> is the profile (slug) of the runtime held, waited for, or chosen.
/// </summary>
internal sealed record PersonSession(
    string User, string? Runtime, string State, string Next, DateTimeOffset? AllocatedAt, DateTimeOffset? LastSeen, DateTimeOffset? ReclaimAt,
    bool Busy, string? Node, long? QueuePosition, string? Notice, string Profile);

/// <summary>One session as an operator sees it.</summary>
internal sealed record SessionRow(
    string User, string Runtime, string? Node, DateTimeOffset AllocatedAt, DateTimeOffset? LastSeen, DateTimeOffset? ReclaimAt,
    bool Busy, string? State, string Profile);

/// <summary>One profile's runtimes by state and its waiting line (admin view).</summary>
internal sealed record ProfileCounts(string Profile, string DisplayName, string Fleet, FleetCounts Runtimes, int Waiting, IReadOnlyList<string> Queue);

/// <summary>Runtimes by state: free, in use, on their way, all.</summary>
internal sealed record FleetCounts(int Ready, int Allocated, int Starting, int Total);

/// <summary>The admin view (<c>GET /_sd/api/admin/sessions</c>).</summary>
/// <remarks><c>Queue</c> and <c>Fleet</c> are over every profile; <c>Profiles</c> splits them per profile.</remarks>
internal sealed record PlatformOverview(
    IReadOnlyList<SessionRow> Sessions, IReadOnlyList<string> Queue, FleetCounts Fleet, IReadOnlyList<SessionEvent> Events, IReadOnlyList<ProfileCounts> Profiles);
