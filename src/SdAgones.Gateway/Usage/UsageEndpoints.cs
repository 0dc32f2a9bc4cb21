using System.Globalization;
using System.Security.Claims;
using SdAgones.Gateway.Edge;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Pages;
using SdAgones.Runtimes.Usage;

namespace SdAgones.Gateway.Usage;

/// <summary>
/// Usage endpoints: a person's own figures (<c>GET /_sd/api/usage</c>, page <c>/_sd/usage</c>), the admin export
/// (<c>GET /_sd/api/admin/usage?format=jsonl|csv&amp;since=&amp;until=</c>, UTC days, both inclusive), the one-off
/// extension (<c>POST /_sd/api/admin/usage/{user}/extension</c>, <c>minutes</c>), a rebuild from the events, and the
/// admin page <c>/_sd/admin/usage</c>.
/// </summary>
internal static class UsageEndpoints
{
    public static WebApplicationBuilder AddUsageGate(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<QuotaGate>();
        return builder;
    }

    public static WebApplication MapUsage(this WebApplication app)
    {
        var api = app.MapGroup("/_sd/api").RequireRateLimiting(EdgeExtensions.ApiRateLimit);
        api.MapGet("/usage", async (ClaimsPrincipal who, UsageQueries usage) => Results.Json(await usage.ForPersonAsync(who.Person())))
            .RequireAuthorization();
        var admin = api.MapGroup("/admin/usage").RequireAuthorization(IdentityExtensions.AdminPolicy);
        admin.MapGet("", ExportAsync);
        admin.MapPost("/{user}/extension", (HttpContext context, string user, QuotaPolicy quotas) => ExtendAsync(context, user, quotas));
        admin.MapPost("/extension", (HttpContext context, QuotaPolicy quotas) => ExtendAsync(context, null, quotas)); // the page's form names the person
        admin.MapPost("/rebuild", async (UsageLedger ledger) => Results.Json(new { folded = await ledger.RebuildAsync() }));

        app.MapGet("/_sd/usage", async (HttpContext context, ClaimsPrincipal who, UsageQueries usage) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return PageLayout.Html(PageLayout.Render("My usage", UsagePages.Mine(await usage.ForPersonAsync(who.Person()))));
        }).RequireAuthorization();
        app.MapGet("/_sd/admin/usage", async (HttpContext context, UsageQueries usage) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return PageLayout.Html(UsagePages.Admin(await usage.OverviewAsync(), context.Request.Query["granted"]));
        }).RequireAuthorization(IdentityExtensions.AdminPolicy);
        return app;
    }

    private static async Task<IResult> ExportAsync(HttpRequest request, UsageQueries usage, TimeProvider time)
    {
        var format = request.Query["format"].ToString() is { Length: > 0 } f ? f.ToLowerInvariant() : "jsonl";
        if (format is not ("jsonl" or "csv"))
        {
            return BadRequest($"format must be jsonl or csv, got '{format}'");
        }

        var today = UsageCalendar.DayOf(time.GetUtcNow());
        if (!TryDay(request, "since", today.AddDays(-13), out var since, out var problem) || !TryDay(request, "until", today, out var until, out problem))
        {
            return BadRequest(problem!);
        }

        if (until < since || until.DayNumber - since.DayNumber > 366)
        {
            return BadRequest($"since must not be after until, and the range at most 366 days; got {UsageCalendar.Name(since)} to {UsageCalendar.Name(until)}");
        }

        var rows = await usage.RangeAsync(since, until);
        return format == "csv"
            ? Results.Text(UsageExport.ToCsv(rows), "text/csv; charset=utf-8")
            : Results.Text(UsageExport.ToJsonLines(rows), "application/jsonl; charset=utf-8");
    }

    private static async Task<IResult> ExtendAsync(HttpContext context, string? user, QuotaPolicy quotas)
    {
        var request = context.Request;
        var form = request.HasFormContentType ? await request.ReadFormAsync(context.RequestAborted) : null;
        user ??= form?["user"].ToString() ?? request.Query["user"].ToString();
        if (string.IsNullOrWhiteSpace(user))
        {
            return BadRequest("name the person: user=person@example.com");
        }

        var text = form?["minutes"].ToString() ?? request.Query["minutes"].ToString();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes is < 1 or > 10_080)
        {
            return BadRequest($"minutes must be a whole number from 1 to 10080 (one week), got '{text}'");
        }

        var target = user.Trim().ToLowerInvariant();
        var status = await quotas.ExtendAsync(target, TimeSpan.FromMinutes(minutes));
        if (request.HasFormContentType)
        {
            return Results.Redirect("/_sd/admin/usage?granted=" + Uri.EscapeDataString(target));
        }

        return Results.Json(new
        {
            user = target,
            extensionSeconds = status.Extension.TotalSeconds,
            leftSeconds = status.Left?.TotalSeconds,
            exceeded = status.Exceeded,
        });
    }

    private static bool TryDay(HttpRequest request, string name, DateOnly fallback, out DateOnly day, out string? problem)
    {
        problem = null;
        day = fallback;
        var text = request.Query[name].ToString();
        if (text.Length == 0 || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            return true;
        }

        problem = $"{name} must be a UTC day such as 2026-11-30, got '{text}'";
        return false;
    }

    private static IResult BadRequest(string detail) =>
        Results.Json(new { error = "bad_request", detail }, statusCode: StatusCodes.Status400BadRequest);
}
