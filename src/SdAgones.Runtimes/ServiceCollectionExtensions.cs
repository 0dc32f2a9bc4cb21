using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Runtimes;

public static class ServiceCollectionExtensions
{
    /// <summary>What the gateway and the cruiser share: the Agones client, the session store, idle rules, the session lifecycle.</summary>
    public static IServiceCollection AddRuntimePlatform(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddAgonesClient(configuration);
        IdleOptions.AddIdleOptions(services, configuration);
        services.AddOptions<SessionEventOptions>().Bind(configuration.GetSection(SessionEventOptions.Section))
            .Validate(o => o.EventLogLength is >= 100 and <= 10_000_000, "Sessions:EventLogLength must be between 100 and 10000000.")
            .ValidateOnStart();
        services.AddSingleton(sp => new SessionStore(
            sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<AgonesClient>().FleetName, sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SessionEventOptions>>().Value.EventLogLength));
        services.AddSingleton<SessionEventLog>();
        services.AddSingleton<SessionLifecycle>();
        return services;
    }
}
