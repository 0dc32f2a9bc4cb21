using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// The one owner of a person's session: every transition of <see cref="SessionTransitions"/> is one method here,
/// backed by one atomic cache script that also appends the transition's event, and logged as one structured line.
/// Gateway, cruiser and admin API all go through it; <see cref="ReleaseAsync(string, string, ReleaseReason, CancellationToken, ReleaseDetail)"/>
/// is the only way a runtime is given back.
/// </summary>
public sealed partial class SessionLifecycle : IDisposable
{
    public const string MeterName = "SdAgones.Sessions";
    private readonly SessionStore store;
    private readonly WaitingLine line;
    private readonly NoticeBoard notices;
    private readonly AgonesClient agones;
    private readonly IOptions<IdleOptions> idle;
    private readonly TimeProvider time;
    private readonly ILogger<SessionLifecycle> logger;
    private readonly Meter meter;
    private readonly Counter<long> released;

    public SessionLifecycle(
        SessionStore store, WaitingLine line, NoticeBoard notices, AgonesClient agones, IOptions<IdleOptions> idle, TimeProvider time,
        IMeterFactory meters, ILogger<SessionLifecycle> logger)
    {
        this.store = store;
        this.line = line;
        this.notices = notices;
        this.agones = agones;
        this.idle = idle;
        this.time = time;
        this.logger = logger;
        meter = meters.Create(MeterName);
        released = meter.CreateCounter<long>("sdagones.sessions.released", "{session}", "Sessions released, by reason");
    }

    /// <summary>none → queued: puts the person in line (once) and returns their 0-based position.</summary>
    public async Task<long> JoinQueueAsync(string user)
    {
        var (position, joined) = await line.JoinQueueAsync(user);
        if (joined)
        {
            LogEvent(SessionEvent.Name(SessionState.Queued), user, "", agones.FleetName, "", 0);
        }

        return position;
    }

    /// <summary>
    /// none → queued → allocating in one cache round trip (<see cref="WaitingLine.AdmitAsync"/>): the person's session if
    /// they have one, else their place in line, and the allocation lock when their rank is below <paramref name="admitBelow"/>.
    /// </summary>
    public async Task<Admission> AdmitAsync(string user, string token, TimeSpan ttl, long admitBelow, string? fleet = null)
    {
        var admission = await line.AdmitAsync(user, token, ttl, admitBelow, fleet);
        if (admission.Joined)
        {
            LogEvent(SessionEvent.Name(SessionState.Queued), user, "", fleet ?? agones.FleetName, "", 0);
        }

        if (admission.Result == AdmissionResult.Locked)
        {
            LogEvent(SessionEvent.Name(SessionState.Allocating), user, "", fleet ?? agones.FleetName, "", 0);
        }

        return admission;
    }

    /// <summary>queued → allocating: takes the person's allocation lock; false when another attempt holds it.</summary>
    public async Task<bool> BeginAllocationAsync(string user, string token, TimeSpan ttl)
    {
        if (!await store.TryLockAsync(user, token, ttl))
        {
            return false;
        }

        LogEvent(SessionEvent.Name(SessionState.Allocating), user, "", agones.FleetName, "", 0);
        return true;
    }

    /// <summary>Ends an allocation attempt: bound if <see cref="BindRuntimeAsync"/> ran, back in line otherwise.</summary>
    public Task EndAllocationAsync(string user, string token) => store.UnlockAsync(user, token);

    /// <summary>
    /// allocating → bound (or none → bound when the cruiser rebuilds a lost cache): binds the runtime; with the
    /// allocation's <paramref name="lockToken"/>, its lock is let go in the same script (no <see cref="EndAllocationAsync"/> needed).
    /// </summary>
    public async Task BindRuntimeAsync(RuntimeSession session, string? lockToken = null)
    {
        await store.AssignAsync(session, lockToken);
        LogEvent(SessionEvent.Name(SessionState.Bound), session.User, session.Runtime, agones.FleetName, "", 0);
    }

    /// <summary>queued → released (left_queue): the person stopped asking.</summary>
    public async Task<bool> LeaveQueueAsync(string user)
    {
        if (!await line.LeaveQueueAsync(user))
        {
            return false;
        }

        LogEvent(SessionEvent.Name(SessionState.Released), user, "", agones.FleetName, SessionEvent.Name(ReleaseReason.LeftQueue), 0);
        return true;
    }

    /// <summary>Everyone in line who stopped asking before <paramref name="before"/> leaves it.</summary>
    public async Task<int> DropStaleQueueEntriesAsync(DateTimeOffset before)
    {
        var stale = await line.StaleQueueEntriesAsync(before);
        var dropped = 0;
        foreach (var user in stale)
        {
            dropped += await LeaveQueueAsync(user) ? 1 : 0;
        }

        return dropped;
    }

    public Task<bool> ReleaseAsync(RuntimeSession session, ReleaseReason reason, CancellationToken ct, ReleaseDetail detail = default) =>
        ReleaseAsync(session.User, session.Runtime, reason, ct, detail with { AllocatedAt = detail.AllocatedAt ?? session.AllocatedAt });

    /// <summary>
    /// bound → released: THE release path. The ownership check and the cache change are one script (the session must
    /// still point at this runtime, and for <see cref="ReleaseReason.Idle"/> still be idle; an orphan must have no
    /// session pointing at it); then the person's notice, the GameServer's deletion (only if Agones still says it is
    /// this person's), the <c>sdagones.sessions.released</c> count and the event's log line. False when the session had
    /// already moved on, in which case nothing else happens.
    /// </summary>
    public async Task<bool> ReleaseAsync(string user, string runtime, ReleaseReason reason, CancellationToken ct, ReleaseDetail detail = default)
    {
        var now = time.GetUtcNow();
        var held = detail.AllocatedAt is { } at ? now - at : (TimeSpan?)null;
        if (!await store.ReleaseAsync(user, runtime, reason, reason == ReleaseReason.Idle ? detail.IdleSince : null, reason == ReleaseReason.Orphan ? held : null))
        {
            return false;
        }

        if (Notice(reason, detail.By) is { } notice)
        {
            await notices.SetAsync(user, notice);
        }

        released.Add(1, new KeyValuePair<string, object?>("reason", SessionEvent.Name(reason)));
        LogEvent(SessionEvent.Name(SessionState.Released), user, runtime, agones.FleetName, SessionEvent.Name(reason), held?.TotalSeconds ?? 0);
        if (await agones.GetGameServerAsync(runtime, ct) is { } server && (server.AllocatedUser is null || server.AllocatedUser == user))
        {
            await agones.DeleteGameServerAsync(runtime, ct);
        }

        return true;
    }

    /// <summary>
    /// What the person reads on their next page, one text per reason: why the runtime was given back and what happens
    /// next (nothing comes by itself: the next request starts a new runtime); null where they need no explanation.
    /// </summary>
    public string? Notice(ReleaseReason reason, string? by = null) => reason switch
    {
        ReleaseReason.Idle => string.Format(CultureInfo.InvariantCulture,
            "Your runtime was given back after {0} without activity; your next request starts a new one.", Describe(idle.Value.Timeout)),
        ReleaseReason.GaveBack => "You gave your runtime back; your next request starts a new one.",
        ReleaseReason.Admin => $"An administrator ({by ?? "unknown"}) gave your runtime back; your next request starts a new one.",
        ReleaseReason.RuntimeGone or ReleaseReason.RuntimeUnreachable => "Your runtime stopped unexpectedly; your next request starts a new one.",
        ReleaseReason.Quota => "Your usage quota is used up, so your runtime was given back; a new one starts once your quota allows it.",
        ReleaseReason.ProfileSwitch => "Your runtime was given back to start one with the profile you chose; your next request starts it.",
        ReleaseReason.Orphan or ReleaseReason.LeftQueue => null,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown release reason"),
    };

    /// <summary>A duration as people say it ("15 minutes", "20 seconds"), for the notices and the pages.</summary>
    public static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 ? string.Format(CultureInfo.InvariantCulture, "{0:0.#} minutes", span.TotalMinutes)
        : string.Format(CultureInfo.InvariantCulture, "{0:0} seconds", span.TotalSeconds);

    public void Dispose() => meter.Dispose();

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information,
        Message = "Session event {State}: person {Person}, runtime {Runtime}, fleet {Fleet}, reason {Reason}, held {HeldSeconds:F1} s")]
    private partial void LogEvent(string state, string person, string runtime, string fleet, string reason, double heldSeconds);
}

/// <summary>What a release needs beyond its reason: the idle deadline it must still meet, who asked, since when the runtime was held.</summary>
public readonly record struct ReleaseDetail(DateTimeOffset? IdleSince = null, string? By = null, DateTimeOffset? AllocatedAt = null);
