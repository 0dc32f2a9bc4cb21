namespace SdAgones.Runtimes.Sessions;

/// <summary>Where a person's session stands; the allowed moves are <see cref="SessionTransitions"/>.</summary>
public enum SessionState
{
    /// <summary>In the waiting line: no runtime yet.</summary>
    Queued,

    /// <summary>A gateway holds the person's allocation lock and is asking Agones for a runtime.</summary>
    Allocating,

    /// <summary>The person has a runtime; requests are forwarded to it.</summary>
    Bound,

    /// <summary>The runtime was given back (or the person left the line); the next request starts over.</summary>
    Released,
}

/// <summary>Why a session ended: a closed set, so every release is counted, noticed and exported under one name.</summary>
public enum ReleaseReason
{
    /// <summary>No bytes moved and nothing generated for the idle timeout (cruiser).</summary>
    Idle,

    /// <summary>The person gave the runtime back (<c>POST /_sd/api/session/release</c>).</summary>
    GaveBack,

    /// <summary>An administrator gave it back (<c>POST /_sd/api/admin/sessions/{user}/release</c>).</summary>
    Admin,

    /// <summary>Agones reports the GameServer deleted, shut down or unhealthy (gateway informer, cruiser reconcile).</summary>
    RuntimeGone,

    /// <summary>Nothing listens at the runtime's address when a request is forwarded (gateway).</summary>
    RuntimeUnreachable,

    /// <summary>An Allocated GameServer no session points at, past the grace period (cruiser).</summary>
    Orphan,

    /// <summary>The person stopped asking while in the waiting line (cruiser); no runtime was involved.</summary>
    LeftQueue,

    /// <summary>Reserved: a usage quota ran out.</summary>
    Quota,

    /// <summary>The person switched to another GPU profile (<c>POST /_sd/profile</c> with confirmation); they queue for the new one.</summary>
    ProfileSwitch,
}

/// <summary>
/// The session's state machine as a table, like <c>GameServerLifecycle</c> for GameServers: each row is one transition,
/// the component that makes it and the <see cref="SessionLifecycle"/> method (one atomic cache script) behind it.
/// </summary>
public static class SessionTransitions
{
    /// <summary>One allowed transition; <see cref="From"/> null means "no session yet".</summary>
    public sealed record Transition(SessionState? From, SessionState To, string Trigger, string Method);

    public static readonly IReadOnlyList<Transition> All =
    [
        new(null, SessionState.Queued, "gateway: a request from a person with no runtime (with the next row in the same script)", nameof(SessionLifecycle.AdmitAsync)),
        new(SessionState.Queued, SessionState.Allocating, "gateway: the person is among the first in line while runtimes are Ready", nameof(SessionLifecycle.AdmitAsync)),
        new(SessionState.Allocating, SessionState.Bound, "gateway: Agones allocated a GameServer for the person", nameof(SessionLifecycle.BindRuntimeAsync)),
        new(SessionState.Allocating, SessionState.Queued, "gateway: no runtime after all (lock released without a bind; not logged)", nameof(SessionLifecycle.EndAllocationAsync)),
        new(null, SessionState.Bound, "cruiser: the cache lost its data and the session is rebuilt from the GameServer", nameof(SessionLifecycle.BindRuntimeAsync)),
        new(SessionState.Queued, SessionState.Released, "cruiser: the person stopped asking (LeftQueue)", nameof(SessionLifecycle.LeaveQueueAsync)),
        new(SessionState.Allocating, SessionState.Released, "cruiser: an Allocated GameServer no session points at (Orphan)", nameof(SessionLifecycle.ReleaseAsync)),
        new(SessionState.Bound, SessionState.Released, "cruiser (Idle, RuntimeGone, Orphan), gateway (RuntimeGone, RuntimeUnreachable), API (GaveBack, Admin)", nameof(SessionLifecycle.ReleaseAsync)),
    ];
}
