using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Runtimes.Forecast;

/// <summary>Registers the arrival forecast (history, warm-up measurements, settings) for the cruiser and for tools.</summary>
public static class ForecastExtensions
{
    public static IServiceCollection AddArrivalForecast(this IServiceCollection services)
    {
        services.AddOptions<ForecastOptions>().BindConfiguration(ForecastOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ForecastOptions>, ForecastOptionsCheck>();
        services.AddSingleton(sp => new ArrivalHistory(
            sp.GetRequiredService<IConnectionMultiplexer>(), sp.GetRequiredService<SessionEventLog>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<AgonesClient>().FleetName));
        services.AddSingleton<WarmUpHistory>();
        services.AddSingleton<ArrivalForecast>();
        return services;
    }
}
