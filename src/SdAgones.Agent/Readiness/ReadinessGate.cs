using SdAgones.Agent.Sdk;
using SdAgones.Agent.WebUI;

namespace SdAgones.Agent.Readiness;

/// <summary>
/// Marks the runtime Ready only once its WebUI answers, so nobody is ever handed a pod still loading its model:
/// polls the WebUI until it answers 200, calls SDK <c>/ready</c>, and confirms the state through <c>/gameserver</c>.
/// </summary>
internal sealed partial class ReadinessGate(SdkClient sdk, WebUIClient webUI, TimeProvider time, ILogger<ReadinessGate> logger)
    : BackgroundService
{
    private static readonly HashSet<string> ReadyOrLater = ["Ready", "Reserved", "Allocated"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        var poll = new Retry(time, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await webUI.AnswersAsync(stoppingToken))
                {
                    await poll.WaitAsync(stoppingToken);
                    continue;
                }

                var server = await sdk.GetGameServerAsync(stoppingToken);
                if (server.State is { } state && ReadyOrLater.Contains(state))
                {
                    LogReady(state, time.GetElapsedTime(started).TotalSeconds);
                    return;
                }

                await sdk.ReadyAsync(stoppingToken);
                poll.Reset(); // confirm at once on the next pass
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (Retry.IsTransient(ex, stoppingToken))
            {
                LogNotYet(ex.Message);
                await WaitQuietlyAsync(poll, stoppingToken);
            }
        }
    }

    private static async Task WaitQuietlyAsync(Retry retry, CancellationToken ct)
    {
        try
        {
            await retry.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "WebUI answers; the runtime is {State} after {Seconds:F1} s")]
    private partial void LogReady(string state, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Not Ready yet: {Reason}")]
    private partial void LogNotYet(string reason);
}

internal static class ReadinessGateRegistration
{
    public static HostApplicationBuilder AddReadinessGate(this HostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<ReadinessGate>();
        return builder;
    }
}
