using System.Security.Claims;
using Microsoft.Extensions.Options;
using SdAgones.Gateway.Api;
using SdAgones.Gateway.Identity;

namespace SdAgones.Gateway.Pages;

/// <summary>The gateway's own pages under <c>/_sd/</c>; the WebUI's pages are forwarded untouched and never rewritten.</summary>
internal static class PageEndpoints
{
    public static WebApplication MapPages(this WebApplication app)
    {
        app.MapFavicon();
        app.MapGet("/_sd/", async (
            HttpContext context, ClaimsPrincipal who, SessionQueries queries, Usage.UsageQueries usage, IOptions<IdentityOptions> identity,
            Profiles.ProfileChoice choice, SdAgones.Runtimes.Agones.GameServerWatcher watcher, WaitingRoom.WaitingRoom room) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var user = who.Person();
            var chosen = await choice.RememberedAsync(user);
            var me = await queries.ForPersonAsync(user, chosen);
            var usable = choice.Profiles.UsableBy(user);
            var cards = Profiles.ProfileCards.Render(
                [.. usable.Select(p => new Profiles.ProfileCards.Card(p, watcher.ReadyOf(p), room.Estimate(p)))],
                choice.Profiles.Find(me.Profile) ?? chosen);
            var page = MyRuntimePage.Render(me, identity.Value.Mode == IdentityMode.Development, cards);
            return PageLayout.Html(Usage.UsagePages.AddTo(page, await usage.ForPersonAsync(who.Person())));
        }).RequireAuthorization();
        app.MapGet("/_sd/admin", async (HttpContext context, ClaimsPrincipal who, SessionQueries queries) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return PageLayout.Html(Usage.UsagePages.LinkFromAdmin(AdminPage.Render(who.Person(), await queries.OverviewAsync())));
        }).RequireAuthorization(IdentityExtensions.AdminPolicy);
        return app;
    }
}
