using Microsoft.Extensions.Options;
using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Gateway.Api;

/// <summary>Where a person stands and what the whole platform looks like: one read behind both the JSON API and the pages.</summary>
internal sealed class SessionQueries(SessionStore store, WaitingLine line, NoticeBoard notices, SessionEventLog events, GameServerWatcher watcher, IOptions<IdleOptions> idle)
{
    /// <summary>How many of the newest session events the admin view shows.</summary>
    public const int RecentEvents = 20;

    public async Task<PersonSession> ForPersonAsync(string user)
    {
        var session = await store.GetAsync(user);
        var lastSeen = session is null ? null : await store.LastSeenAsync(user);
        var position = session is null ? AllocationOutcome.PositionOf(await line.RankAsync(user)) : null;
        var server = session is null ? null : watcher.Find(session.Runtime);
        return new PersonSession(
            user,
            session?.Runtime,
            session is not null ? "ready" : position is not null ? "waiting" : "none",
            session is not null ? NextStep.Ready(idle.Value.Timeout) : position is not null ? NextStep.Waiting(WaitStage.Queued, position) : NextStep.None,
            session?.AllocatedAt,
            lastSeen,
            lastSeen + idle.Value.Timeout,
            IsBusy(server),
            session?.Node,
            position,
            await notices.PeekAsync(user));
    }

    public async Task<PlatformOverview> OverviewAsync()
    {
        var sessions = await store.ListAsync();
        var queue = await line.QueueAsync();
        var servers = watcher.All.ToList();
        var rows = sessions.Select(v =>
        {
            var server = watcher.Find(v.Session.Runtime);
            return new SessionRow(v.Session.User, v.Session.Runtime, v.Session.Node, v.Session.AllocatedAt, v.LastSeen,
                v.LastSeen + idle.Value.Timeout, IsBusy(server), server?.State?.ToString());
        }).ToList();
        var fleet = new FleetCounts(
            servers.Count(s => s.State == GameServerState.Ready),
            servers.Count(s => s.State == GameServerState.Allocated),
            servers.Count(s => GameServerLifecycle.IsStarting(s.State)),
            servers.Count);
        return new PlatformOverview(rows, queue, fleet, await events.RecentAsync(RecentEvents));
    }

    private static bool IsBusy(GameServer? server) =>
        server?.Metadata.Annotations is { } annotations && annotations.TryGetValue(AgonesApi.BusyAnnotation, out var busy) && busy == "true";
}

/// <summary>
/// A person's own view (<c>GET /_sd/api/session</c>): <c>State</c> is <c>ready</c>, <c>waiting</c> or <c>none</c>,
/// <c>Next</c> says what happens next in that state, <c>QueuePosition</c> counts from 1, and <c>Notice</c> says why
/// the last runtime was given back.
/// </summary>
internal sealed record PersonSession(
    string User, string? Runtime, string State, string Next, DateTimeOffset? AllocatedAt, DateTimeOffset? LastSeen, DateTimeOffset? ReclaimAt,
    bool Busy, string? Node, long? QueuePosition, string? Notice);

/// <summary>One session as an operator sees it.</summary>
internal sealed record SessionRow(
    string User, string Runtime, string? Node, DateTimeOffset AllocatedAt, DateTimeOffset? LastSeen, DateTimeOffset? ReclaimAt,
    bool Busy, string? State);

/// <summary>Runtimes by state: free, in use, on their way, all.</summary>
internal sealed record FleetCounts(int Ready, int Allocated, int Starting, int Total);

/// <summary>The admin view (<c>GET /_sd/api/admin/sessions</c>).</summary>
internal sealed record PlatformOverview(IReadOnlyList<SessionRow> Sessions, IReadOnlyList<string> Queue, FleetCounts Fleet, IReadOnlyList<SessionEvent> Events);
