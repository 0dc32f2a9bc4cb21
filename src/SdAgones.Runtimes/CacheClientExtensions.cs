using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace SdAgones.Runtimes;

public static class CacheClientExtensions
{
    /// <summary>
    /// The Redis-protocol client every service uses, from the connection string <c>cache</c>. The cache is not a
    /// readiness dependency (an outage must not take a service out of the load balancer), and while it is down
    /// commands fail at once instead of queueing, so callers can answer 503 or fall back without waiting.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformCache(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient("cache", settings => settings.DisableHealthChecks = true, options =>
        {
            options.AbortOnConnectFail = false;
            options.BacklogPolicy = BacklogPolicy.FailFast;
            options.ConnectTimeout = 2000;
            options.SyncTimeout = 2000;
            options.AsyncTimeout = 2000;
        });
        return builder;
    }
}
