using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SdAgones.Gateway.Identity;

namespace SdAgones.Gateway.Edge;

/// <summary>The gateway's edge: error answers, cross-site refusal, framing headers, per-person caps and rate limits.</summary>
internal static class EdgeExtensions
{
    /// <summary>Rate-limiting policy of the gateway's own <c>/_sd/</c> APIs, partitioned by identity.</summary>
    public const string ApiRateLimit = "sd-api";

    public static WebApplicationBuilder AddEdge(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EdgeOptions>().BindConfiguration(EdgeOptions.Section)
            .ValidateSetting("Gateway:AllowedOrigins", o => o.AllowedOrigins,
                o => o.AllowedOriginList.All(a => Uri.TryCreate(a, UriKind.Absolute, out var u) && u.Scheme is "http" or "https" && u.PathAndQuery == "/"),
                "use a comma-separated list of origins (scheme, host and optional port; no path), e.g. https://sd.example.com")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<GatewayExceptionHandler>();
        builder.Services.AddSingleton<CrossSiteGuard>();
        builder.Services.AddSingleton<PersonLimits>();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(ApiRateLimit, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptionsMonitor<EdgeOptions>>().CurrentValue;
                var key = context.User.Identity is { IsAuthenticated: true, Name: { } name }
                    ? "person:" + name
                    : "address:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.ApiBurst,
                    TokensPerPeriod = limits.ApiRequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (rejected, _) =>
            {
                rejected.HttpContext.Response.Headers.RetryAfter = "1";
                await ErrorAnswers.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "too_many_requests", "Slow down",
                    "too many requests to the gateway's own API from you; retry in a second");
            };
        });
        return builder;
    }

    /// <summary>Error answers, framing headers and the cross-site guard: before routing, for every request.</summary>
    public static WebApplication UseEdge(this WebApplication app)
    {
        app.UseExceptionHandler();
        var guard = app.Services.GetRequiredService<CrossSiteGuard>();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/_sd"))
            {
                context.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'self'";
                context.Response.Headers.XFrameOptions = "SAMEORIGIN";
            }

            if (guard.Refusal(context.Request) is { } refusal)
            {
                await ErrorAnswers.WriteAsync(context, StatusCodes.Status403Forbidden, "cross_site", "Refused", refusal);
                return;
            }

            await next(context);
        });
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Holds a place per person for each request that reaches its runtime; over a cap it is a 429.</summary>
    public static async Task WithinPersonLimitsAsync(HttpContext context, Func<HttpContext, Task> next)
    {
        var limits = context.RequestServices.GetRequiredService<PersonLimits>();
        if (limits.TryEnter(context.User.Person(), CrossSiteGuard.IsWebSocketUpgrade(context.Request), out var place) is { } refusal)
        {
            await ErrorAnswers.WriteAsync(context, StatusCodes.Status429TooManyRequests, "too_many_connections", "Too many connections", refusal);
            return;
        }

        using (place)
        {
            await next(context);
        }
    }
}
