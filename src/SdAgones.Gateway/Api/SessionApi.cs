using Microsoft.Extensions.Options;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Sessions;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Gateway.Api;

/// <summary>The gateway's own API under <c>/_sd/api/</c>: a person's session, giving it back, and the admin view.</summary>
internal static class SessionApi
{
    public static WebApplication MapSessionApi(this WebApplication app)
    {
        var api = app.MapGroup("/_sd/api");
        api.MapGet("/session", (HttpContext context, SessionQueries queries) =>
            WithPersonAsync(context, async user => Results.Json(await queries.ForPersonAsync(user))));
        api.MapPost("/session/release", async (HttpContext context, SessionStore store, SessionLifecycle lifecycle, SessionDirectory directory) =>
            await WithPersonAsync(context, async user =>
            {
                directory.Forget(user);
                var session = await store.GetAsync(user);
                var released = session is not null && await lifecycle.ReleaseAsync(session, ReleaseReason.GaveBack, context.RequestAborted);
                return Results.Json(new { user, released, runtime = session?.Runtime });
            }));
        api.MapGet("/wait", async (HttpContext context, PersonResolver identity, WaitingRoom.WaitingRoom room) =>
        {
            var who = await identity.ResolveAsync(context.Request);
            if (who.User is null)
            {
                await Unauthorized(who.Error).ExecuteAsync(context);
                return;
            }

            await room.StreamAsync(context, who.User);
        });

        var admin = api.MapGroup("/admin");
        admin.MapGet("/sessions", (HttpContext context, SessionQueries queries) =>
            WithAdminAsync(context, async _ => Results.Json(await queries.OverviewAsync())));
        admin.MapPost("/sessions/{user}/release", async (HttpContext context, string user, SessionStore store, SessionLifecycle lifecycle, SessionDirectory directory) =>
            await WithAdminAsync(context, async admin =>
            {
                var target = user.Trim().ToLowerInvariant();
                directory.Forget(target);
                var session = await store.GetAsync(target);
                if (session is null)
                {
                    return Results.Json(new { error = "not_found", detail = $"{target} has no runtime" }, statusCode: StatusCodes.Status404NotFound);
                }

                var released = await lifecycle.ReleaseAsync(session, ReleaseReason.Admin, context.RequestAborted, new ReleaseDetail(By: admin));
                return Results.Json(new { user = target, released, runtime = session.Runtime });
            }));
        admin.MapGet("/events", (HttpContext context, SessionEventLog events) =>
            WithAdminAsync(context, _ => SessionEventExport.ExportAsync(context.Request, events)));
        return app;
    }

    private static async Task<IResult> WithPersonAsync(HttpContext context, Func<string, Task<IResult>> action)
    {
        if (IsCrossSitePost(context.Request))
        {
            return Results.Json(new { error = "forbidden", detail = "cross-site requests cannot change sessions" }, statusCode: StatusCodes.Status403Forbidden);
        }

        var who = await context.RequestServices.GetRequiredService<PersonResolver>().ResolveAsync(context.Request);
        if (who.User is null)
        {
            return Unauthorized(who.Error);
        }

        try
        {
            return await action(who.User);
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            context.Response.Headers.RetryAfter = "2";
            return Results.Json(new { error = "unavailable", detail = "The session store is unavailable right now; please retry in a few seconds." },
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static Task<IResult> WithAdminAsync(HttpContext context, Func<string, Task<IResult>> action) =>
        WithPersonAsync(context, user =>
            context.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value.IsAdmin(user)
                ? action(user)
                : Task.FromResult(Results.Json(new { error = "forbidden", detail = $"{user} is not an administrator" }, statusCode: StatusCodes.Status403Forbidden)));

    private static bool IsCrossSitePost(HttpRequest request) =>
        !HttpMethods.IsGet(request.Method)
        && request.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site
        && site is not ("same-origin" or "none");

    public static IResult Unauthorized(string? reason) =>
        Results.Json(new { error = "unauthorized", detail = reason ?? "not signed in" }, statusCode: StatusCodes.Status401Unauthorized);
}
