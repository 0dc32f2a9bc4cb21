using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Sessions;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Sessions;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Every request that is not the gateway's own: who is this → their session → a runtime if they have none →
/// forward, noting activity whenever the request's or the upgraded connection's bytes move. One trace spans the whole way.
/// </summary>
internal sealed partial class GatewayPipeline(
    PersonResolver identity,
    SessionDirectory sessions,
    RuntimeAllocator allocator,
    WaitingRoom.WaitingRoom waitingRoom,
    RuntimeForwarder forwarder,
    ILogger<GatewayPipeline> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        using var activity = GatewayRequestSpan.Start(context);
        if (HttpMethods.IsConnect(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
        {
            // Tunnels and request echoes have no use in a WebUI and are not forwarded.
            context.Response.Headers.Allow = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
            await Results.Json(new { error = "method_not_allowed", detail = $"{context.Request.Method} is not forwarded to runtimes" },
                statusCode: StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
            return;
        }

        var who = await identity.ResolveAsync(context.Request);
        if (who.User is not { } user)
        {
            await ChallengeAsync(context, who.Error);
            return;
        }

        GatewayRequestSpan.TagPerson(activity, user);
        Runtimes.Sessions.RuntimeSession? session;
        try
        {
            session = await sessions.FindAsync(user);
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            await waitingRoom.RespondAsync(context, user,
                AllocationOutcome.Unavailable("The session store is unavailable right now; please retry in a few seconds."));
            return;
        }

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

        GatewayRequestSpan.TagRuntime(activity, session.Runtime, agones.FleetName);
        sessions.Touch(user);
        ActivityMeter.Attach(context, () => sessions.Touch(user));
        if (await forwarder.ForwardAsync(context, session.Target) == ForwardResult.RuntimeUnreachable)
        {
            LogUnreachable(user, session.Runtime);
            await sessions.ReleaseAsync(session, ReleaseReason.RuntimeUnreachable);
            await waitingRoom.RespondAsync(context, user, AllocationOutcome.Waiting(WaitStage.Queued, position: null));
        }
    }

    private async Task ChallengeAsync(HttpContext context, string? reason)
    {
        var browser = WaitingRoom.WaitingRoom.WantsHtml(context.Request);
        if (reason is null && identity.Mode == IdentityMode.Development && browser && HttpMethods.IsGet(context.Request.Method))
        {
            var returnUrl = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            context.Response.Redirect("/_sd/signin?returnUrl=" + Uri.EscapeDataString(returnUrl));
            return;
        }

        var detail = reason ?? (identity.Mode == IdentityMode.Development
            ? $"not signed in: sign in at /_sd/signin or send the {DevSignIn.Header} header"
            : "no IAP token (x-goog-iap-jwt-assertion) on the request");
        context.Response.Headers.CacheControl = "no-store";
        await Results.Json(new { error = "unauthorized", detail }, statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime {Runtime} of {User} does not answer; dropping the session")]
    private partial void LogUnreachable(string user, string runtime);

}
