using SdAgones.Cruiser.Autoscaling;
using SdAgones.Cruiser.Idle;
using SdAgones.Cruiser.Leadership;
using SdAgones.Cruiser.Reconciliation;
using SdAgones.Runtimes;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Forecast;

namespace SdAgones.Cruiser;

public static class CruiserExtensions
{
    public static WebApplicationBuilder AddCruiser(this WebApplicationBuilder builder)
    {
        builder.AddPlatformCache();
        AddCruiserServices(builder.Services);
        builder.Services.AddHostedService<CruiserWorker>();
        builder.Services.AddSingleton<GameServerWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<GameServerWatcher>());
        builder.Services.AddSingleton<WarmUpMeter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WarmUpMeter>());
        return builder;
    }

    /// <summary>The cruiser's policy objects, without the loop (tests drive passes themselves).</summary>
    public static IServiceCollection AddCruiserServices(IServiceCollection services)
    {
        services.AddRuntimePlatform();
        services.AddOptions<ReconcileOptions>().BindConfiguration(ReconcileOptions.Section)
            .ValidateSetting(SettingKeys.ReconcileInterval, o => o.Interval, o => o.Interval > TimeSpan.Zero, "use a positive time span, e.g. 00:00:30")
            .ValidateSetting("Reconcile:OrphanGrace", o => o.OrphanGrace, o => o.OrphanGrace >= TimeSpan.Zero, "use zero or a positive time span, e.g. 00:01:00")
            .ValidateOnStart();
        services.AddOptions<LeaseOptions>().BindConfiguration(LeaseOptions.Section)
            .ValidateSetting("Lease:Duration", o => o.Duration, o => o.Duration >= TimeSpan.FromSeconds(1), "use at least one second, e.g. 00:00:15")
            .Validate<Microsoft.Extensions.Options.IOptions<SdAgones.Runtimes.Sessions.IdleOptions>>(
                (lease, idle) => lease.Duration > idle.Value.CheckInterval,
                "Lease:Duration must be longer than Idle:CheckInterval, or the active cruiser loses its lease between passes.")
            .ValidateOnStart();
        services.AddSingleton<CruiserTelemetry>();
        services.AddSingleton<CruiserLease>();
        services.AddSingleton<BusyProbe>();
        services.AddSingleton<IdleReaper>();
        services.AddSingleton<Reconciler>();
        services.AddSingleton<QuotaKeeper>();
        services.AddArrivalForecast();
        services.AddSingleton<WarmUpAutoscaler>();
        return services;
    }
}
