using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Runtimes;

public static class ServiceCollectionExtensions
{
    /// <summary>What the gateway and the cruiser share: the Agones client, the session store, idle rules, the releaser.</summary>
    public static IServiceCollection AddRuntimePlatform(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddAgonesClient(configuration);
        IdleOptions.AddIdleOptions(services, configuration);
        services.AddSingleton<SessionStore>();
        services.AddSingleton<RuntimeReleaser>();
        return services;
    }
}
