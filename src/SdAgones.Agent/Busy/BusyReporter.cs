using Microsoft.Extensions.Options;
using SdAgones.Agent.Sdk;
using SdAgones.Agent.WebUI;

namespace SdAgones.Agent.Busy;

/// <summary>
/// Tells the cruiser whether a generation is running, so a person waiting on a long render is not reclaimed as idle:
/// polls the WebUI's <c>/sdapi/v1/progress</c> and sets SDK annotation <c>busy</c> (seen on the GameServer as
/// <see cref="AgonesApi.BusyAnnotation"/>) to "true"/"false" once at start and then only when it changes.
/// A WebUI that does not answer counts as not busy, as in the cruiser's own fallback.
/// </summary>
internal sealed partial class BusyReporter(
    SdkClient sdk, WebUIClient webUI, IOptions<AgentOptions> options, TimeProvider time, ILogger<BusyReporter> logger)
    : BackgroundService
{
    public const string AnnotationKey = AgonesApi.BusyAnnotationKey;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        bool? reported = null;
        using var timer = new PeriodicTimer(options.Value.BusyPollInterval, time);
        do
        {
            try
            {
                var busy = await IsBusyAsync(stoppingToken);
                if (busy != reported)
                {
                    await sdk.SetAnnotationAsync(AnnotationKey, busy ? "true" : "false", stoppingToken);
                    reported = busy;
                    LogReported(busy);
                }
            }
            catch (Exception ex) when (Retry.IsTransient(ex, stoppingToken))
            {
                LogReportFailed(ex.Message); // the next tick tries again: reported is unchanged
            }
        }
        while (await Retry.NextTickAsync(timer, stoppingToken));
    }

    private async Task<bool> IsBusyAsync(CancellationToken ct)
    {
        try
        {
            return await webUI.IsGeneratingAsync(ct);
        }
        catch (Exception ex) when (Retry.IsTransient(ex, ct))
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Busy = {Busy}")]
    private partial void LogReported(bool busy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not report busy to the Agones SDK ({Reason}); retrying")]
    private partial void LogReportFailed(string reason);
}

internal static class BusyReporterRegistration
{
    public static HostApplicationBuilder AddBusyReporter(this HostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<BusyReporter>();
        return builder;
    }
}
