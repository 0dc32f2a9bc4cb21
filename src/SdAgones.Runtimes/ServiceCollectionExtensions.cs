using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SdAgones.Contracts.Profiles;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Profiles;
using SdAgones.Runtimes.Sessions;
using SdAgones.Runtimes.Usage;

namespace SdAgones.Runtimes;

public static class ServiceCollectionExtensions
{
    /// <summary>What the gateway and the cruiser share: the Agones client, the session store, idle rules, the session lifecycle, usage.</summary>
    public static IServiceCollection AddRuntimePlatform(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddAgonesClient();
        services.AddProfiles();
        IdleOptions.AddIdleOptions(services);
        services.AddOptions<SessionEventOptions>().BindConfiguration(SessionEventOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new SessionStore(Redis(sp), sp.GetRequiredService<TimeProvider>(), Fleet(sp), EventLogLength(sp), sp.GetRequiredService<ProfileCatalog>()));
        services.AddSingleton(sp => new ProfileLines(sp.GetRequiredService<ProfileCatalog>(), profile =>
            new WaitingLine(Redis(sp), sp.GetRequiredService<TimeProvider>(), profile.FleetName, EventLogLength(sp), sp.GetService<IWaitingOrder>(), profile.Slug)));
        services.AddSingleton(sp => sp.GetRequiredService<ProfileLines>().For(sp.GetRequiredService<ProfileCatalog>().Default)); // the default profile's line
        services.AddSingleton<NoticeBoard>();
        services.AddSingleton<LeaseStore>();
        services.AddSingleton<SessionEventLog>();
        services.AddSingleton<SessionLifecycle>();
        services.AddUsage();
        return services;
    }

    private static StackExchange.Redis.IConnectionMultiplexer Redis(IServiceProvider sp) => sp.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>();

    private static string Fleet(IServiceProvider sp) => sp.GetRequiredService<AgonesClient>().FleetName;

    private static int EventLogLength(IServiceProvider sp) =>
        sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SessionEventOptions>>().Value.EventLogLength;
}
