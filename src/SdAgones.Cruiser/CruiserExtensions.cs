using SdAgones.Cruiser.Idle;
using SdAgones.Cruiser.Leadership;
using SdAgones.Cruiser.Reconciliation;
using SdAgones.Runtimes;

namespace SdAgones.Cruiser;

public static class CruiserExtensions
{
    public static WebApplicationBuilder AddCruiser(this WebApplicationBuilder builder)
    {
        builder.AddPlatformCache();
        AddCruiserServices(builder.Services, builder.Configuration);
        builder.Services.AddHostedService<CruiserWorker>();
        return builder;
    }

    /// <summary>The cruiser's policy objects, without the loop (tests drive passes themselves).</summary>
    public static IServiceCollection AddCruiserServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddRuntimePlatform(configuration);
        services.AddOptions<ReconcileOptions>().Bind(configuration.GetSection(ReconcileOptions.Section))
            .Validate(o => o.Interval > TimeSpan.Zero, "Reconcile:Interval must be positive.")
            .Validate(o => o.OrphanGrace >= TimeSpan.Zero, "Reconcile:OrphanGrace must not be negative.")
            .ValidateOnStart();
        services.AddOptions<LeaseOptions>().Bind(configuration.GetSection(LeaseOptions.Section))
            .Validate(o => o.Duration >= TimeSpan.FromSeconds(1), "Lease:Duration must be at least one second.")
            .Validate<Microsoft.Extensions.Options.IOptions<SdAgones.Runtimes.Sessions.IdleOptions>>(
                (lease, idle) => lease.Duration > idle.Value.CheckInterval,
                "Lease:Duration must be longer than Idle:CheckInterval, or the active cruiser loses its lease between passes.")
            .ValidateOnStart();
        services.AddSingleton<CruiserTelemetry>();
        services.AddSingleton<CruiserLease>();
        services.AddSingleton<BusyProbe>();
        services.AddSingleton<IdleReaper>();
        services.AddSingleton<Reconciler>();
        return services;
    }
}
