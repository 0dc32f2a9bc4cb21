using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SdAgones.Contracts.Profiles;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Profiles;

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
    private readonly ProfileLines lines;
    private readonly ProfileCatalog profiles;
    private readonly NoticeBoard notices;
    private readonly AgonesClient agones;
    private readonly IOptions<IdleOptions> idle;
    private readonly TimeProvider time;
    private readonly ILogger<SessionLifecycle> logger;
    private readonly Meter meter;
    private readonly Counter<long> released;

    public SessionLifecycle(
        SessionStore store, ProfileLines lines, NoticeBoard notices, AgonesClient agones, IOptions<IdleOptions> idle, TimeProvider time,
        IMeterFactory meters, ILogger<SessionLifecycle> logger)
    {
        this.store = store;
        this.lines = lines;
        profiles = lines.Profiles;
        this.notices = notices;
        this.agones = agones;
        this.idle = idle;
        this.time = time;
        this.logger = logger;
        meter = meters.Create(MeterName);
        released = meter.CreateCounter<long>("sdagones.sessions.released", "{session}", "Sessions released, by reason");
    }

    /// <summary>
    /// none → queued: puts the person in the line of <paramref name="profile"/> (the default profile's when null; once)
    /// and returns their 0-based position. Joining one line leaves any other: a person waits for one profile at a time.
    /// </summary>
    public async Task<long> JoinQueueAsync(string user, RuntimeProfile? profile = null)
    {
        profile ??= profiles.Default;
        var (position, joined) = await lines.For(profile).JoinQueueAsync(user);
        if (joined)
        {
            LogEvent(SessionEvent.Name(SessionState.Queued), user, "", profile.FleetName, profile.Slug, "", 0);
            foreach (var (other, _) in lines.All.Where(l => l.Profile.Slug != profile.Slug))
            {
                await LeaveQueueAsync(user, other);
            }
        }

        return position;
    }

    /// <summary>
    /// none → queued → allocating in one cache round trip (<see cref="WaitingLine.AdmitAsync"/>) in the line of
    /// <paramref name="profile"/> (the default's when null): the person's session if they have one, else their place in
    /// line, and the allocation lock (one per person, whatever the profile) when their rank is below <paramref name="admitBelow"/>.
    /// Joining one line leaves any other: a person waits for one profile at a time.
    /// </summary>
    public async Task<Admission> AdmitAsync(string user, string token, TimeSpan ttl, long admitBelow, RuntimeProfile? profile = null)
    {
        profile ??= profiles.Default;
        var admission = await lines.For(profile).AdmitAsync(user, token, ttl, admitBelow, profile.FleetName);
        if (admission.Joined)
        {
            LogEvent(SessionEvent.Name(SessionState.Queued), user, "", profile.FleetName, profile.Slug, "", 0);
            foreach (var (other, _) in lines.All.Where(l => l.Profile.Slug != profile.Slug))
            {
                await LeaveQueueAsync(user, other);
            }
        }

        if (admission.Result == AdmissionResult.Locked)
        {
            LogEvent(SessionEvent.Name(SessionState.Allocating), user, "", profile.FleetName, profile.Slug, "", 0);
        }

        return admission;
    }

    /// <summary>queued → allocating: takes the person's allocation lock (one per person, whatever the profile); false when another attempt holds it.</summary>
    public async Task<bool> BeginAllocationAsync(string user, string token, TimeSpan ttl, RuntimeProfile? profile = null)
    {
        profile ??= profiles.Default;
        if (!await store.TryLockAsync(user, token, ttl, profile.Slug))
        {
            return false;
        }

        LogEvent(SessionEvent.Name(SessionState.Allocating), user, "", profile.FleetName, profile.Slug, "", 0);
        return true;
    }

    /// <summary>Ends an allocation attempt: bound if <see cref="BindRuntimeAsync"/> ran, back in line otherwise.</summary>
    public Task EndAllocationAsync(string user, string token) => store.UnlockAsync(user, token);

    /// <summary>
    /// allocating → bound (or none → bound when the cruiser rebuilds a lost cache): binds the runtime of the session's
    /// profile; with the allocation's <paramref name="lockToken"/>, its lock is let go in the same script (no
    /// <see cref="EndAllocationAsync"/> needed).
    /// </summary>
    public async Task BindRuntimeAsync(RuntimeSession session, string? lockToken = null)
    {
        if (profiles.Find(session.Profile) is null)
        {
            session = session with { Profile = profiles.Default.Slug };
        }

        await store.AssignAsync(session, lockToken);
        LogEvent(SessionEvent.Name(SessionState.Bound), session.User, session.Runtime, FleetOf(session.Profile), session.Profile, "", 0);
    }

    /// <summary>queued → released (left_queue): the person stopped asking (in the line of <paramref name="profile"/>, the default's when null).</summary>
    public async Task<bool> LeaveQueueAsync(string user, RuntimeProfile? profile = null)
    {
        profile ??= profiles.Default;
        if (!await lines.For(profile).LeaveQueueAsync(user))
        {
            return false;
        }

        LogEvent(SessionEvent.Name(SessionState.Released), user, "", profile.FleetName, profile.Slug, SessionEvent.Name(ReleaseReason.LeftQueue), 0);
        return true;
    }

    /// <summary>Everyone in any profile's line who stopped asking before <paramref name="before"/> leaves it.</summary>
    public async Task<int> DropStaleQueueEntriesAsync(DateTimeOffset before)
    {
        var dropped = 0;
        foreach (var (profile, line) in lines.All)
        {
            foreach (var user in await line.StaleQueueEntriesAsync(before))
            {
                dropped += await LeaveQueueAsync(user, profile) ? 1 : 0;
            }
        }

        return dropped;
    }

    public Task<bool> ReleaseAsync(RuntimeSession session, ReleaseReason reason, CancellationToken ct, ReleaseDetail detail = default) =>
        ReleaseAsync(session.User, session.Runtime, reason, ct, detail with
        {
            AllocatedAt = detail.AllocatedAt ?? session.AllocatedAt,
            Profile = detail.Profile ?? (session.Profile is { Length: > 0 } p ? p : null),
        });

    /// <summary>
    /// bound → released: THE release path. The ownership check and the cache change are one script (the session must
    /// still point at this runtime, and for <see cref="ReleaseReason.Idle"/> still be idle; an orphan must have no
    /// session pointing at it); then the person's notice, the GameServer's deletion (only if Agones still says it is
    /// this person's), the <c>sdagones.sessions.released</c> count and the event's log line. False when the session had
    /// already moved on, in which case nothing else happens.
    /// </summary>
    public async Task<bool> ReleaseAsync(string user, string runtime, ReleaseReason reason, CancellationToken ct, ReleaseDetail detail = default)
    {
        // The GameServer is read first: its Fleet names the profile the release counts under when the caller does not know it.
        var server = await agones.GetGameServerAsync(runtime, ct);
        var profile = profiles.Find(detail.Profile) ?? (server is null ? null : profiles.ProfileOf(server)) ?? profiles.Default;
        var now = time.GetUtcNow();
        var held = detail.AllocatedAt is { } at ? now - at : (TimeSpan?)null;
        if (!await store.ReleaseAsync(user, runtime, reason, reason == ReleaseReason.Idle ? detail.IdleSince : null, reason == ReleaseReason.Orphan ? held : null, profile.Slug))
        {
            return false;
        }

        if (Notice(reason, detail.By, reason == ReleaseReason.Idle ? IdleTimeoutOf(profile) : null) is { } notice)
        {
            await notices.SetAsync(user, notice);
        }

        released.Add(1, [new("reason", SessionEvent.Name(reason)), new("profile", profile.Slug)]);
        LogEvent(SessionEvent.Name(SessionState.Released), user, runtime, profile.FleetName, profile.Slug, SessionEvent.Name(reason), held?.TotalSeconds ?? 0);
        if (server is not null && (server.AllocatedUser is null || server.AllocatedUser == user))
        {
            await agones.DeleteGameServerAsync(runtime, ct);
        }

        return true;
    }

    /// <summary>
    /// What the person reads on their next page, one text per reason: why the runtime was given back and what happens
    /// next (nothing comes by itself: the next request starts a new runtime); null where they need no explanation.
    /// </summary>
    public string? Notice(ReleaseReason reason, string? by = null, TimeSpan? idleTimeout = null) => reason switch
    {
        ReleaseReason.Idle => string.Format(CultureInfo.InvariantCulture,
            "Your runtime was given back after {0} without activity; your next request starts a new one.", Describe(idleTimeout ?? idle.Value.Timeout)),
        ReleaseReason.GaveBack => "You gave your runtime back; your next request starts a new one.",
        ReleaseReason.Admin => $"An administrator ({by ?? "unknown"}) gave your runtime back; your next request starts a new one.",
        ReleaseReason.RuntimeGone or ReleaseReason.RuntimeUnreachable => "Your runtime stopped unexpectedly; your next request starts a new one.",
        ReleaseReason.Quota => "Your usage quota is used up, so your runtime was given back; a new one starts once your quota allows it.",
        ReleaseReason.ProfileSwitch => "Your runtime was given back to start one with the profile you chose; your next request starts it.",
        ReleaseReason.Orphan or ReleaseReason.LeftQueue => null,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "unknown release reason"),
    };

    /// <summary>How long a runtime of <paramref name="profile"/> may sit idle: the profile's own timeout, else the platform's.</summary>
    public TimeSpan IdleTimeoutOf(RuntimeProfile profile) => profile.IdleTimeout ?? idle.Value.Timeout;

    /// <summary>The profile a session counts under (the default for sessions from before profiles).</summary>
    public RuntimeProfile ProfileOf(RuntimeSession session) => profiles.Find(session.Profile) ?? profiles.Default;

    private string FleetOf(string slug) => (profiles.Find(slug) ?? profiles.Default).FleetName;

    /// <summary>A duration as people say it ("15 minutes", "20 seconds"), for the notices and the pages.</summary>
    public static string Describe(TimeSpan span) =>
        span.TotalMinutes >= 1 ? string.Format(CultureInfo.InvariantCulture, "{0:0.#} minutes", span.TotalMinutes)
        : string.Format(CultureInfo.InvariantCulture, "{0:0} seconds", span.TotalSeconds);

    public void Dispose() => meter.Dispose();

    [LoggerMessage(EventId = 1500, Level = LogLevel.Information,
        Message = "Session event {State}: person {Person}, runtime {Runtime}, fleet {Fleet}, profile {Profile}, reason {Reason}, held {HeldSeconds:F1} s")]
    private partial void LogEvent(string state, string person, string runtime, string fleet, string profile, string reason, double heldSeconds);
}

/// <summary>What a release needs beyond its reason: the idle deadline it must still meet, who asked, since when the runtime was held.</summary>
/// <remarks><see cref="Profile"/>: the slug the release counts under; null = the GameServer's Fleet's profile.</remarks>
public readonly record struct ReleaseDetail(DateTimeOffset? IdleSince = null, string? By = null, DateTimeOffset? AllocatedAt = null, string? Profile = null);
