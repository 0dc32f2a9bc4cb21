using System.Security.Claims;
using SdAgones.Contracts.Profiles;
using SdAgones.Gateway.Edge;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Pages;
using SdAgones.Gateway.Sessions;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Gateway.Profiles;

/// <summary>
/// Choosing and switching profiles: <c>POST /_sd/profile</c> (the cards' form; redirects to the WebUI) and
/// <c>POST /_sd/api/session/profile</c> (JSON), both with <c>profile</c> (form field, query or
/// <see cref="ProfileChoice.Header"/>). The choice is remembered. Holding a runtime of another profile, the person is
/// asked to confirm (<c>confirm=yes</c>); then that runtime is given back (reason <c>profile_switch</c>) and the next
/// request queues for the new profile. Cross-site posts are refused by the edge's guard like every state change.
/// </summary>
internal static class ProfileSwitch
{
    public const string PagePath = "/_sd/profile";
    public const string ApiPath = "/_sd/api/session/profile";

    public static WebApplication MapProfileChoice(this WebApplication app)
    {
        app.MapPost(PagePath, SwitchAsync).RequireAuthorization().RequireRateLimiting(EdgeExtensions.ApiRateLimit);
        app.MapPost(ApiPath, SwitchAsync).RequireAuthorization().RequireRateLimiting(EdgeExtensions.ApiRateLimit);
        return app;
    }

    /// <summary>409: the person holds a runtime of <paramref name="held"/> and asked for <paramref name="asked"/> (a confirmation page, or JSON saying how to switch).</summary>
    public static async Task ConflictAsync(HttpContext context, RuntimeProfile held, RuntimeProfile asked)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (ErrorAnswers.WantsPage(context.Request))
        {
            await PageLayout.Html(ConfirmPage(held, asked), StatusCodes.Status409Conflict).ExecuteAsync(context);
            return;
        }

        await Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "You hold a runtime of another profile",
            detail: Holding(held, asked) + $" To switch, POST {ApiPath}?profile={asked.Slug}&confirm=yes (your runtime is given back), or leave out {ProfileChoice.Header} to keep using it.",
            extensions: new Dictionary<string, object?> { ["error"] = "holds_other_profile", ["profile"] = held.Slug, ["asked"] = asked.Slug })
            .ExecuteAsync(context);
    }

    private static async Task SwitchAsync(
        HttpContext context, ClaimsPrincipal who, ProfileChoice choice, SessionStore store, SessionLifecycle lifecycle, SessionDirectory directory)
    {
        var user = who.Person();
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        var slug = form?["profile"].ToString().Trim().ToLowerInvariant() is { Length: > 0 } field ? field : ProfileChoice.Asked(context.Request);
        var confirmed = (form?["confirm"].ToString() ?? context.Request.Query["confirm"].ToString()) is "yes" or "true";
        if (slug is null)
        {
            await ErrorAnswers.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_request", "No profile named",
                $"Name the profile to use with the form field or query parameter 'profile' (or the {ProfileChoice.Header} header).");
            return;
        }

        if (choice.Check(slug, user) is { } refusal)
        {
            await choice.RefuseAsync(context, user, refusal);
            return;
        }

        var profile = choice.Profiles.Find(slug)!;
        var session = await store.GetAsync(user);
        var held = session is null ? null : lifecycle.ProfileOf(session);
        if (held is not null && held.Slug != profile.Slug && !confirmed)
        {
            await ConflictAsync(context, held, profile);
            return;
        }

        await choice.RememberAsync(user, profile);
        var released = false;
        if (session is not null && held!.Slug != profile.Slug)
        {
            directory.Forget(user);
            released = await lifecycle.ReleaseAsync(session, ReleaseReason.ProfileSwitch, context.RequestAborted);
        }

        if (ErrorAnswers.WantsPage(context.Request))
        {
            context.Response.Redirect("/"); // the WebUI: the waiting room of the new profile until its runtime is ready
            return;
        }

        await Results.Json(new
        {
            user,
            profile = profile.Slug,
            released,
            runtime = released ? session!.Runtime : null,
            next = released ? lifecycle.Notice(ReleaseReason.ProfileSwitch) : $"Your next request without {ProfileChoice.Header} uses the profile {profile.Slug}.",
        }).ExecuteAsync(context);
    }

    private static string Holding(RuntimeProfile held, RuntimeProfile asked) =>
        $"You hold a {held.DisplayName} runtime ({held.Slug}) and asked for {asked.DisplayName} ({asked.Slug}); a person has one runtime at a time.";

    private static string ConfirmPage(RuntimeProfile held, RuntimeProfile asked) => PageLayout.Render("Switch profile", $"""
        <h1>Switch to {PageLayout.Encode(asked.DisplayName)}?</h1>
        <p class="notice" id="switch-question">{PageLayout.Encode(Holding(held, asked))} Switching gives your {PageLayout.Encode(held.DisplayName)} runtime back (unsaved work in the WebUI is lost; your files stay) and queues you for {PageLayout.Encode(asked.DisplayName)}.</p>
        <form method="post" action="{PagePath}" class="actions">
          <input type="hidden" name="profile" value="{PageLayout.Encode(asked.Slug)}">
          <input type="hidden" name="confirm" value="yes">
          <button type="submit" id="confirm-switch">Give back and switch to {PageLayout.Encode(asked.DisplayName)}</button>
          <a href="/_sd/" id="keep">Keep my {PageLayout.Encode(held.DisplayName)} runtime</a>
        </form>
        """);
}
