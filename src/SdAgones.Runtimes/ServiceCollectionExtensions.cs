using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using SdAgones.Runtimes.Usage;

namespace SdAgones.Runtimes;

public static class ServiceCollectionExtensions
{
    /// <summary>What the gateway and the cruiser share: the Agones client, the session store, idle rules, the session lifecycle, usage.</summary>
    public static IServiceCollection AddRuntimePlatform(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddAgonesClient(configuration);
        IdleOptions.AddIdleOptions(services, configuration);
        services.AddOptions<SessionEventOptions>().Bind(configuration.GetSection(SessionEventOptions.Section))
            .Validate(o => o.EventLogLength is >= 100 and <= 10_000_000, "Sessions:EventLogLength must be between 100 and 10000000.")
            .ValidateOnStart();
        services.AddSingleton(sp => new SessionStore(Redis(sp), sp.GetRequiredService<TimeProvider>(), Fleet(sp), EventLogLength(sp)));
        services.AddSingleton(sp => new WaitingLine(Redis(sp), sp.GetRequiredService<TimeProvider>(), Fleet(sp), EventLogLength(sp), sp.GetService<IWaitingOrder>()));
        services.AddSingleton<NoticeBoard>();
        services.AddSingleton<LeaseStore>();
        services.AddSingleton<SessionEventLog>();
        services.AddSingleton<SessionLifecycle>();
        services.AddUsage(configuration);
        return services;
    }

    private static StackExchange.Redis.IConnectionMultiplexer Redis(IServiceProvider sp) => sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>();

    private static string Fleet(IServiceProvider sp) => sp.GetRequiredService<AgonesClient>().FleetName;

    private static int EventLogLength(IServiceProvider sp) =>
        sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SessionEventOptions>>().Value.EventLogLength;
}
