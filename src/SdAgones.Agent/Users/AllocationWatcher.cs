using Microsoft.Extensions.Options;
using SdAgones.Agent.Sdk;

namespace SdAgones.Agent.Users;

/// <summary>
/// Watches this GameServer; once it is Allocated to a person (the <c>user</c> label), creates their folders on the
/// shared volume, copies their inputs into the workspace and names them as the owner of the workspace's outputs
/// (<see cref="OutputDelivery"/> moves those out). The WebUI is never told about the shared volume: it cannot reach
/// it, whatever its settings. Replaces the seed's user-watch.py (which slept 30 s and then symlinked a path built
/// from the raw label into a WebUI that mounted every person's folder).
/// </summary>
internal sealed partial class AllocationWatcher(
    SdkClient sdk, Workspace workspace, IOptions<AgentOptions> options, TimeProvider time, ILogger<AllocationWatcher> logger)
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
        workspace.AllocatedTo(folder);
        var copied = await CopyInputsAsync(folder, ct);
        preparedFor = label;
        LogPrepared(label, folder.Root, copied);
    }

    /// <summary>Copies the person's inputs (regular files; links are skipped) into the workspace's <c>inputs/</c>.</summary>
    private async Task<int> CopyInputsAsync(UserFolder folder, CancellationToken ct)
    {
        var sourceRoot = ConfinedFiles.RealPath(folder.Inputs);
        Directory.CreateDirectory(workspace.Inputs);
        var destinationRoot = ConfinedFiles.RealPath(workspace.Root);
        var copied = 0;
        foreach (var file in Directory.EnumerateFiles(folder.Inputs, "*", OutputDelivery.PlainFilesOnly))
        {
            var destination = Path.Combine(workspace.Inputs, Path.GetRelativePath(folder.Inputs, file));
            if (await ConfinedFiles.CopyAsync(file, sourceRoot, destination, destinationRoot, ct))
            {
                copied++;
            }
            else
            {
                LogSkipped(file);
            }
        }

        return copied;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Allocated to {User}: {Inputs} input file(s) copied in; outputs will be moved to {Folder}")]
    private partial void LogPrepared(string user, string folder, int inputs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {File}: it leads outside its folder")]
    private partial void LogSkipped(string file);

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
        builder.Services.AddSingleton<Workspace>();
        builder.Services.AddHostedService<AllocationWatcher>();
        builder.Services.AddHostedService<OutputDelivery>();
        return builder;
    }
}
