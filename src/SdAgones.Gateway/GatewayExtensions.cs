using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;
using SdAgones.Gateway.Allocation;
using SdAgones.Gateway.Api;
using SdAgones.Gateway.Edge;
using SdAgones.Gateway.Forwarding;
using SdAgones.Gateway.Sessions;
using SdAgones.Runtimes;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Gateway;

internal static class GatewayExtensions
{
    /// <summary>Sessions: the shared cache client, the Agones informer and the hot-path directory.</summary>
    public static WebApplicationBuilder AddSessions(this WebApplicationBuilder builder)
    {
        builder.AddPlatformCache();
        AddSessionServices(builder.Services);
        return builder;
    }

    /// <summary>The gateway's session parts without the host, so tests can wire them to their own cache and clock.</summary>
    public static IServiceCollection AddSessionServices(IServiceCollection services)
    {
        services.AddRuntimePlatform();
        services.AddSingleton<GameServerWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<GameServerWatcher>());
        services.AddSingleton<SessionDirectory>();
        services.AddSingleton<SessionQueries>();
        services.AddSingleton<Profiles.ProfileChoice>();
        services.AddSingleton<GatewayTelemetry>();
        return services;
    }

    public static WebApplicationBuilder AddAllocation(this WebApplicationBuilder builder)
    {
        AddAllocationServices(builder.Services);
        return builder;
    }

    /// <summary>The allocator and the waiting room with their settings (tests use it as <see cref="AddSessionServices"/>).</summary>
    public static IServiceCollection AddAllocationServices(IServiceCollection services)
    {
        services.AddOptions<AllocationOptions>().BindConfiguration(AllocationOptions.Section)
            .ValidateSetting("Allocation:LockTtl", o => o.LockTtl, o => o.LockTtl > TimeSpan.Zero, "use a positive time span, e.g. 00:00:30")
            .ValidateSetting("Allocation:WaitForPeer", o => o.WaitForPeer, o => o.WaitForPeer >= TimeSpan.Zero, "use zero or a positive time span, e.g. 00:00:10")
            .ValidateSetting("Allocation:ContentionRetries", o => o.ContentionRetries, o => o.ContentionRetries is >= 0 and <= 10, "use 0 to 10, e.g. 3")
            .ValidateOnStart();
        services.AddSingleton<RuntimeAllocator>();
        services.AddSingleton<WaitingRoom.WaitingRoom>();
        services.AddSingleton<Usage.UsageQueries>(); // the waiting room shows the quota notice
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section);
        return services;
    }

    /// <summary>Forwarding with no body-size limit and the gateway's own telemetry.</summary>
    public static WebApplicationBuilder AddForwarding(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
            kestrel.AddServerHeader = false;
        });
        builder.Services.Configure<KestrelServerOptions>(o => o.AllowSynchronousIO = false);
        builder.Services.AddOptions<ForwardingOptions>().Bind(builder.Configuration.GetSection(ForwardingOptions.Section))
            .ValidateSetting("Gateway:ForwardedTraceSampling", o => o.ForwardedTraceSampling, o => o.ForwardedTraceSampling is >= 0 and <= 1, "use a share from 0 to 1, e.g. 0.1")
            .ValidateSetting("Gateway:SlowRequestThreshold", o => o.SlowRequestThreshold, o => o.SlowRequestThreshold > TimeSpan.Zero, "use a positive time span, e.g. 00:00:01")
            .ValidateOnStart();
        builder.Services.AddSingleton<ForwardedTraces>();
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<RuntimeForwarder>();
        builder.Services.AddSingleton<GatewayPipeline>();
        return builder;
    }

    /// <summary>
    /// Anything that is not the gateway's own endpoint goes to the person's runtime (signed in, within the person's
    /// caps); <c>/_sd/</c> is never forwarded. Forwarded bodies have no minimum data rate: whatever the runtime
    /// accepts (slow links, stalls) the gateway passes on, bounded by the per-person caps and the activity timeout.
    /// </summary>
    public static WebApplication MapRuntimeForwarding(this WebApplication app)
    {
        GatewayRequestSpan.EmailOnSpans = app.Services.GetRequiredService<IOptions<ForwardingOptions>>().Value.EmailOnSpans;
        var telemetry = app.Services.GetRequiredService<GatewayTelemetry>();
        var directory = app.Services.GetRequiredService<SessionDirectory>();
        telemetry.ObserveSessions(() => directory.CachedCount);
        var pipeline = app.Services.GetRequiredService<GatewayPipeline>();
        app.Map("/_sd/{**rest}", (HttpContext context) =>
            ErrorAnswers.WriteAsync(context, StatusCodes.Status404NotFound, "not_found", "Not found", "no such gateway page"));
        app.Map("/{**path}", (HttpContext context) => EdgeExtensions.WithinPersonLimitsAsync(context, c =>
        {
            c.Features.Get<IHttpMinRequestBodyDataRateFeature>()?.MinDataRate = null;
            c.Features.Get<IHttpMinResponseDataRateFeature>()?.MinDataRate = null;
            return pipeline.HandleAsync(c);
        })).RequireAuthorization();
        return app;
    }
}
