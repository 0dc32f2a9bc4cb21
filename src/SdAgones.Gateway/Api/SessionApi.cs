using System.Security.Claims;
using SdAgones.Gateway.Edge;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Sessions;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Gateway.Api;

/// <summary>The gateway's own API under <c>/_sd/api/</c>: a person's session, giving it back, and the admin view.</summary>
internal static class SessionApi
{
    public static WebApplication MapSessionApi(this WebApplication app)
    {
        var api = app.MapGroup("/_sd/api").RequireRateLimiting(EdgeExtensions.ApiRateLimit);
        var person = api.MapGroup("").RequireAuthorization();
        person.MapGet("/session", async (ClaimsPrincipal who, SessionQueries queries, Usage.UsageQueries usage, Profiles.ProfileChoice choice) =>
        {
            var me = await queries.ForPersonAsync(who.Person(), await choice.RememberedAsync(who.Person()));
            return Results.Json(me with { Notice = me.Notice ?? await usage.NoticeAsync(who.Person()) }); // a quota notice when nothing else is said
        });
        person.MapPost("/session/release", async (ClaimsPrincipal who, HttpContext context, SessionStore store, SessionLifecycle lifecycle, SessionDirectory directory) =>
        {
            var user = who.Person();
            directory.Forget(user);
            var session = await store.GetAsync(user);
            var released = session is not null && await lifecycle.ReleaseAsync(session, ReleaseReason.GaveBack, context.RequestAborted);
            return Results.Json(new { user, released, runtime = session?.Runtime, next = released ? lifecycle.Notice(ReleaseReason.GaveBack) : NextStep.None });
        });
        person.MapGet("/wait", async (ClaimsPrincipal who, HttpContext context, WaitingRoom.WaitingRoom room, Profiles.ProfileChoice choice) =>
        {
            var (profile, _, refusal) = await choice.ResolveAsync(context.Request, who.Person());
            if (refusal is not null)
            {
                await choice.RefuseAsync(context, who.Person(), refusal);
                return;
            }

            await room.StreamAsync(context, who.Person(), profile);
        });

        var admin = api.MapGroup("/admin").RequireAuthorization(IdentityExtensions.AdminPolicy);
        admin.MapGet("/sessions", async (SessionQueries queries) => Results.Json(await queries.OverviewAsync()));
        admin.MapPost("/sessions/{user}/release", async (ClaimsPrincipal who, HttpContext context, string user, SessionStore store, SessionLifecycle lifecycle, SessionDirectory directory) =>
        {
            var target = user.Trim().ToLowerInvariant();
            directory.Forget(target);
            var session = await store.GetAsync(target);
            if (session is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{target} has no runtime",
                    extensions: new Dictionary<string, object?> { ["error"] = "not_found" });
            }

            var released = await lifecycle.ReleaseAsync(session, ReleaseReason.Admin, context.RequestAborted, new ReleaseDetail(By: who.Person()));
            return Results.Json(new { user = target, released, runtime = session.Runtime, notice = released ? lifecycle.Notice(ReleaseReason.Admin, who.Person()) : null });
        });
        admin.MapGet("/events", (HttpContext context, SessionEventLog events) => SessionEventExport.ExportAsync(context.Request, events));
        return app;
    }
}
