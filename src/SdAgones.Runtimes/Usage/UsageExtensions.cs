using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Runtimes.Usage;

/// <summary>Registers usage accounting, quotas and the fair-share order for gateway and cruiser alike.</summary>
public static class UsageExtensions
{
    public static IServiceCollection AddUsage(this IServiceCollection services)
    {
        services.AddOptions<UsageOptions>().BindConfiguration(UsageOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UsageOptions>, UsageOptionsCheck>();
        services.AddSingleton(sp => new UsageLedger(
            sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<SessionEventLog>(), sp.GetRequiredService<SessionStore>(),
            sp.GetRequiredService<IOptions<UsageOptions>>(), sp.GetRequiredService<TimeProvider>(), Fleet(sp),
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<SdAgones.Contracts.Profiles.ProfileCatalog>()));
        services.AddSingleton(sp => new QuotaPolicy(
            sp.GetRequiredService<UsageLedger>(), sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<IOptions<UsageOptions>>(),
            sp.GetRequiredService<TimeProvider>(), DefaultProfile(sp), sp.GetRequiredService<SdAgones.Contracts.Profiles.ProfileCatalog>()));
        services.AddSingleton<IWaitingOrder, FairShareOrder>();
        return services;
    }

    private static string Fleet(IServiceProvider sp) => sp.GetRequiredService<AgonesClient>().FleetName;

    /// <summary>What a quota is counted in when no profile is named: the default profile.</summary>
    private static string DefaultProfile(IServiceProvider sp) => sp.GetRequiredService<SdAgones.Contracts.Profiles.ProfileCatalog>().Default.Slug;
}
