using Microsoft.Extensions.Options;
using SdAgones.Agent.Sdk;
using SdAgones.Agent.WebUI;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Agent.Users;

/// <summary>
/// Watches this GameServer; once it is Allocated to a person (the <c>user</c> label), creates their folders on the
/// shared volume and points the WebUI's output folders there, so their images land in their own place. Replaces
/// the seed's user-watch.py (which slept 30 s and then symlinked a path built from the raw label).
/// </summary>
internal sealed partial class AllocationWatcher(
    SdkClient sdk, WebUIClient webUI, IOptions<AgentOptions> options, TimeProvider time, ILogger<AllocationWatcher> logger)
    : BackgroundService
{
    private string? preparedFor;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = new Retry(time, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // The current state first: an allocation may have happened while the stream was down.
                await OnChangeAsync(await sdk.GetGameServerAsync(stoppingToken), stoppingToken);
                await foreach (var server in sdk.WatchAsync(stoppingToken))
                {
                    await OnChangeAsync(server, stoppingToken);
                    retry.Reset();
                }

                LogWatchEnded();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (Retry.IsTransient(ex, stoppingToken) || ex is UnauthorizedAccessException)
            {
                LogWatchFailed(ex.Message);
            }

            try
            {
                await retry.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task OnChangeAsync(SdkGameServer server, CancellationToken ct)
    {
        if (server.State != nameof(GameServerState.Allocated) || server.Label(AgonesApi.UserLabel) is not { Length: > 0 } label
            || label == preparedFor)
        {
            return;
        }

        if (UserFolders.Create(options.Value.StorageRoot, label) is not { } folder)
        {
            LogRefused(label);
            preparedFor = label; // refuse once, not on every event
            return;
        }

        // A failure here throws to the loop, which reconnects and, seeing the same allocation, tries again.
        await webUI.SetOptionsAsync(folder.WebUISettings(), ct);
        preparedFor = label;
        LogPrepared(label, folder.Root);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Allocated to {User}: outputs now go to {Folder}")]
    private partial void LogPrepared(string user, string folder);

    [LoggerMessage(Level = LogLevel.Error, Message = "Allocated with a user label that is not a safe folder name ({User}); no folder created")]
    private partial void LogRefused(string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching the GameServer failed ({Reason}); reconnecting")]
    private partial void LogWatchFailed(string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The GameServer watch ended; reconnecting")]
    private partial void LogWatchEnded();
}

internal static class AllocationWatcherRegistration
{
    public static HostApplicationBuilder AddUserFolders(this HostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<AllocationWatcher>();
        return builder;
    }
}
