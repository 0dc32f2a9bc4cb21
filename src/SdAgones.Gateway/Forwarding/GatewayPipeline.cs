using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Sessions;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Sessions;
using SdAgones.Contracts.Profiles;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Every request that is not the gateway's own: who is this → their session → a runtime if they have none →
/// forward, noting activity whenever the request's or the upgraded connection's bytes move. One trace spans the whole way.
/// The profile asked for (<see cref="Profiles.ProfileChoice"/>) is checked first: one the person may not use is 403; a
/// runtime of another profile than the one explicitly asked for is not forwarded to (409: switch first).
/// </summary>
internal sealed partial class GatewayPipeline(
    SessionDirectory sessions,
    RuntimeAllocator allocator,
    WaitingRoom.WaitingRoom waitingRoom,
    RuntimeForwarder forwarder,
    Profiles.ProfileChoice choice,
    Usage.QuotaGate quota,
    ForwardedTraces traces,
    TimeProvider time,
    ILogger<GatewayPipeline> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var startedAt = time.GetTimestamp();
        using var activity = GatewayRequestSpan.Start(context);
        if (HttpMethods.IsConnect(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
        {
            // Tunnels and request echoes have no use in a WebUI and are not forwarded.
            context.Response.Headers.Allow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
            await Results.Json(new { error = "method_not_allowed", detail = $"{context.Request.Method} is not forwarded to runtimes" },
                statusCode: StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
            return;
        }

        var user = context.User.Person(); // signed in: the endpoint requires authorization
        GatewayRequestSpan.TagPerson(activity, user);
        RuntimeProfile? asked = null;
        if (Profiles.ProfileChoice.Asked(context.Request) is { } slug)
        {
            if (choice.Check(slug, user) is { } refusal)
            {
                await choice.RefuseAsync(context, user, refusal);
                return;
            }

            asked = choice.Profiles.Find(slug)!;
        }

        var session = await sessions.FindAsync(user); // a cache fault is answered 503 by the gateway's exception handler
        var allocated = session is null; // a person's first request (allocation, then first forward) is always traced in full

        if (session is null)
        {
            var profile = asked ?? await choice.RememberedAsync(user);
            if (await quota.RefuseAsync(context, user, profile))
            {
                return;
            }

            var outcome = await allocator.EnsureAsync(user, profile);
            if (outcome.Session is null)
            {
                await waitingRoom.RespondAsync(context, user, outcome, profile);
                return;
            }

            session = outcome.Session;
            waitingRoom.RecordWait(user);
        }

        var held = choice.Profiles.Find(session.Profile) ?? choice.Profiles.Default;
        if (asked is not null && asked.Slug != held.Slug)
        {
            await Profiles.ProfileSwitch.ConflictAsync(context, held, asked);
            return;
        }

        GatewayRequestSpan.TagRuntime(activity, session.Runtime, held.FleetName, held.Slug);
        sessions.Touch(user);
        ActivityMeter.Attach(context, () => sessions.Touch(user));
        var sampled = (allocated && activity is { Recorded: true }) || traces.IsSampled(activity);
        var result = ForwardResult.Failed;
        try
        {
            result = await forwarder.ForwardAsync(context, session.Target, traces.RunsDiagnostics(sampled));
        }
        finally
        {
            traces.Decide(activity, sampled, startedAt, result != ForwardResult.Done || context.Response.StatusCode >= StatusCodes.Status500InternalServerError);
        }

        if (result == ForwardResult.RuntimeUnreachable)
        {
            LogUnreachable(user, session.Runtime);
            await sessions.ReleaseAsync(session, ReleaseReason.RuntimeUnreachable);
            await waitingRoom.RespondAsync(context, user, AllocationOutcome.Waiting(WaitStage.Queued, position: null));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime {Runtime} of {User} does not answer; dropping the session")]
    private partial void LogUnreachable(string user, string runtime);
}
