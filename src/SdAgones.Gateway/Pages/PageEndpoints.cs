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
        app.MapGet("/_sd/", async (HttpContext context, ClaimsPrincipal who, SessionQueries queries, Usage.UsageQueries usage, IOptions<IdentityOptions> identity) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var page = MyRuntimePage.Render(await queries.ForPersonAsync(who.Person()), identity.Value.Mode == IdentityMode.Development);
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
