using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Sessions;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Sessions;
using SdAgones.Runtimes.Agones;
using StackExchange.Redis;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Every request that is not the gateway's own: who is this → their session → a runtime if they have none →
/// forward → note activity. One trace spans the whole way.
/// </summary>
internal sealed partial class GatewayPipeline(
    SessionDirectory sessions,
    RuntimeAllocator allocator,
    WaitingRoom.WaitingRoom waitingRoom,
    RuntimeForwarder forwarder,
    AgonesClient agones,
    ILogger<GatewayPipeline> logger)
{
    public const string RestartedNotice = "Your runtime stopped unexpectedly, so you are getting a fresh one.";

    public async Task HandleAsync(HttpContext context)
    {
        using var activity = GatewayTelemetry.Source.StartActivity("gateway.request");
        if (HttpMethods.IsConnect(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
        {
            // Tunnels and request echoes have no use in a WebUI and are not forwarded.
            context.Response.Headers.Allow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
            await Results.Json(new { error = "method_not_allowed", detail = $"{context.Request.Method} is not forwarded to runtimes" },
                statusCode: StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
            return;
        }

        var user = context.User.Person(); // signed in: the endpoint requires authorization
        activity?.SetTag("user", user);
        var session = await sessions.FindAsync(user); // a cache fault is answered 503 by the gateway's exception handler

        if (session is null)
        {
            var outcome = await allocator.EnsureAsync(user);
            if (outcome.Session is null)
            {
                await waitingRoom.RespondAsync(context, user, outcome);
                return;
            }

            session = outcome.Session;
            waitingRoom.RecordWait(user);
        }

        activity?.SetTag("runtime", session.Runtime);
        sessions.Touch(user);
        if (await forwarder.ForwardAsync(context, session.Target) == ForwardResult.RuntimeUnreachable)
        {
            LogUnreachable(user, session.Runtime);
            await sessions.DropAsync(session, RestartedNotice);
            _ = ShutDownIfStillTheirsAsync(session);
            await waitingRoom.RespondAsync(context, user, AllocationOutcome.Waiting(WaitStage.Queued, position: null));
        }
    }

    private async Task ShutDownIfStillTheirsAsync(Runtimes.Sessions.RuntimeSession session)
    {
        try
        {
            if (await agones.GetGameServerAsync(session.Runtime, CancellationToken.None) is { } server && server.AllocatedUser == session.User)
            {
                await agones.DeleteGameServerAsync(session.Runtime, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            LogShutdownFailed(session.Runtime, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime {Runtime} of {User} does not answer; dropping the session")]
    private partial void LogUnreachable(string user, string runtime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not shut down unreachable runtime {Runtime}: {Reason}")]
    private partial void LogShutdownFailed(string runtime, string reason);
}
