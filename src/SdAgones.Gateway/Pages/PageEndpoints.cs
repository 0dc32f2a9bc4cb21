using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Sessions;
using SdAgones.Gateway.Api;
using SdAgones.Gateway.Identity;
using StackExchange.Redis;

namespace SdAgones.Gateway.Pages;

/// <summary>The gateway's own pages under <c>/_sd/</c>; the WebUI's pages are forwarded untouched and never rewritten.</summary>
internal static class PageEndpoints
{
    public static WebApplication MapPages(this WebApplication app)
    {
        app.MapGet("/_sd/", (HttpContext context, SessionQueries queries, PersonResolver identity) =>
            AsPersonAsync(context, async user =>
                PageLayout.Html(MyRuntimePage.Render(await queries.ForPersonAsync(user), identity.Mode == IdentityMode.Development))));
        app.MapGet("/_sd/admin", (HttpContext context, SessionQueries queries, IOptions<AdminOptions> admins) =>
            AsPersonAsync(context, async user => admins.Value.IsAdmin(user)
                ? PageLayout.Html(AdminPage.Render(user, await queries.OverviewAsync()))
                : PageLayout.Html(MessagePage.Render("Administrators only",
                    $"You are signed in as {user}, who is not an administrator of this platform."), StatusCodes.Status403Forbidden)));
        return app;
    }

    /// <summary>Runs a page for the signed-in person; strangers are sent to sign in (Development) or refused (IAP).</summary>
    private static async Task<IResult> AsPersonAsync(HttpContext context, Func<string, Task<IResult>> page)
    {
        context.Response.Headers.CacheControl = "no-store";
        var identity = context.RequestServices.GetRequiredService<PersonResolver>();
        var who = await identity.ResolveAsync(context.Request);
        if (who.User is not { } user)
        {
            if (who.Error is null && identity.Mode == IdentityMode.Development)
            {
                var returnUrl = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
                return Results.Redirect("/_sd/signin?returnUrl=" + Uri.EscapeDataString(returnUrl));
            }

            return PageLayout.Html(MessagePage.Render("Not signed in", who.Error ?? "This page needs you to be signed in."),
                StatusCodes.Status401Unauthorized);
        }

        try
        {
            return await page(user);
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            context.Response.Headers.RetryAfter = "2";
            return PageLayout.Html(MessagePage.Render("Try again in a moment",
                "The session store is unavailable right now; please reload in a few seconds."), StatusCodes.Status503ServiceUnavailable);
        }
    }
}
