using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Sessions;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Sessions;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Every request that is not the gateway's own: who is this → their session → a runtime if they have none →
/// forward, noting activity whenever the request's or the upgraded connection's bytes move. One trace spans the whole way.
/// </summary>
internal sealed partial class GatewayPipeline(
    SessionDirectory sessions,
    RuntimeAllocator allocator,
    WaitingRoom.WaitingRoom waitingRoom,
    RuntimeForwarder forwarder,
    AgonesClient agones,
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
        var session = await sessions.FindAsync(user); // a cache fault is answered 503 by the gateway's exception handler
        var allocated = session is null; // a person's first request (allocation, then first forward) is always traced in full

        if (session is null)
        {
            if (await quota.RefuseAsync(context, user))
            {
                return;
            }

            var outcome = await allocator.EnsureAsync(user);
            if (outcome.Session is null)
            {
                await waitingRoom.RespondAsync(context, user, outcome);
                return;
            }

            session = outcome.Session;
            waitingRoom.RecordWait(user);
        }

        GatewayRequestSpan.TagRuntime(activity, session.Runtime, agones.FleetName);
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
