using Microsoft.Extensions.Options;
using SdAgones.Agent.Sdk;
using SdAgones.Agent.WebUI;

namespace SdAgones.Agent.Readiness;

/// <summary>
/// Marks the runtime Ready only once its WebUI has loaded the model and answered the API calls a person's page makes
/// first (<c>POST /sdapi/v1/reload-checkpoint</c> waits for the model; <c>GET /sdapi/v1/options</c> must answer 200),
/// so nobody is handed a pod still loading and the first person's request does not pay for the WebUI's first answer. Then asks the SDK for Ready once and waits for the state on the SDK watch. The sidecar applies
/// the request later and unconditionally (Agones pkg/sdkserver/sdkserver.go <c>updateState</c>), so a second
/// <c>/ready</c> that lands after an allocation would hand a person's runtime back to the pool: Ready is asked again
/// only when, after <see cref="AgentOptions.ReadyRetryAfter"/>, the GameServer has not even reached RequestReady,
/// and never once it is Ready, Reserved or Allocated.
/// </summary>
internal sealed partial class ReadinessGate(
    SdkClient sdk, WebUIClient webUI, IOptions<AgentOptions> options, TimeProvider time, ILogger<ReadinessGate> logger)
    : BackgroundService
{
    private static readonly HashSet<string> ReadyOrLater = ["Ready", "Reserved", "Allocated"];
    private static readonly HashSet<string> Finished = ["Shutdown", "Unhealthy", "Error"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        try
        {
            await WaitForModelAsync(stoppingToken);
            LogModelLoaded(time.GetElapsedTime(started).TotalSeconds);
            var state = await AskForReadyAsync(stoppingToken);
            LogReady(state, time.GetElapsedTime(started).TotalSeconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task WaitForModelAsync(CancellationToken ct)
    {
        var poll = new Retry(time, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        while (true)
        {
            try
            {
                if (await webUI.ModelLoadedAsync(ct))
                {
                    if (await webUI.AnswersReadsAsync(ct))
                    {
                        return;
                    }

                    LogNotYet("the model is loaded but GET /sdapi/v1/options does not answer 200 yet");
                }
                else
                {
                    LogNotYet("the WebUI's API is not up yet (404)");
                }
            }
            catch (Exception ex) when (Retry.IsTransient(ex, ct))
            {
                LogNotYet(ex.Message);
            }

            await poll.WaitAsync(ct);
        }
    }

    /// <summary>Asks once, then follows the SDK watch (which starts with the current GameServer) until Ready or later.</summary>
    private async Task<string> AskForReadyAsync(CancellationToken ct)
    {
        var reconnect = new Retry(time, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
        var asked = false;
        var reached = false; // RequestReady seen: the request arrived, it only waits for the controller
        var askedAt = 0L;
        while (true)
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (asked && !reached)
            {
                var left = options.Value.ReadyRetryAfter - time.GetElapsedTime(askedAt);
                bound.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }

            string? last = null;
            try
            {
                await foreach (var server in sdk.WatchAsync(bound.Token))
                {
                    last = server.State;
                    if (last == "RequestReady" && asked && !reached)
                    {
                        reached = true;
                        bound.CancelAfter(Timeout.InfiniteTimeSpan);
                    }

                    if (last is not null && (ReadyOrLater.Contains(last) || Finished.Contains(last)))
                    {
                        return last;
                    }

                    if (!asked)
                    {
                        await sdk.ReadyAsync(ct);
                        (asked, askedAt) = (true, time.GetTimestamp());
                        bound.CancelAfter(options.Value.ReadyRetryAfter);
                        LogAsked(last ?? "?");
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The bound passed: ask again only if the first request left no trace at all.
                if (!reached && last is null or "PortAllocation" or "Creating" or "Starting" or "Scheduled")
                {
                    LogAskingAgain(last ?? "unknown", options.Value.ReadyRetryAfter.TotalSeconds);
                    asked = false;
                }

                continue;
            }
            catch (Exception ex) when (Retry.IsTransient(ex, ct))
            {
                LogNotYet(ex.Message);
            }

            await reconnect.WaitAsync(ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The WebUI's model is loaded and its API answers after {Seconds:F1} s")]
    private partial void LogModelLoaded(double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Asked the SDK for Ready (GameServer was {State})")]
    private partial void LogAsked(string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The GameServer is still {State} {Seconds:F0} s after asking for Ready; asking again")]
    private partial void LogAskingAgain(string state, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The runtime is {State} after {Seconds:F1} s")]
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
