using Microsoft.Extensions.Options;
using SdAgones.Agent.Sdk;

namespace SdAgones.Agent.Health;

/// <summary>
/// Pings the SDK's <c>/health</c> from the moment the agent starts, more often than the Fleet's health period, so
/// Agones marks the runtime Unhealthy only when this pod really stops (the agent exits or hangs).
/// </summary>
internal sealed partial class HealthPinger(SdkClient sdk, IOptions<AgentOptions> options, TimeProvider time, ILogger<HealthPinger> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failing = false;
        using var timer = new PeriodicTimer(options.Value.HealthInterval, time);
        do
        {
            try
            {
                await sdk.HealthAsync(stoppingToken);
                if (failing)
                {
                    LogRecovered();
                    failing = false;
                }
            }
            catch (Exception ex) when (Retry.IsTransient(ex, stoppingToken))
            {
                // The sidecar may not be up yet, or restarting: the next tick tries again.
                if (!failing)
                {
                    LogPingFailed(ex.Message);
                    failing = true;
                }
            }
        }
        while (await Retry.NextTickAsync(timer, stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health ping to the Agones SDK failed ({Reason}); retrying every interval")]
    private partial void LogPingFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health pings reach the Agones SDK again")]
    private partial void LogRecovered();
}

internal static class HealthPingerRegistration
{
    public static HostApplicationBuilder AddHealthPinger(this HostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<HealthPinger>();
        return builder;
    }
}
