using Microsoft.Extensions.Options;

namespace SdAgones.Agent.Users;

/// <summary>
/// Moves what the WebUI generates from the workspace's <c>outputs/</c> to <c>users/&lt;label&gt;/outputs/</c> on the
/// shared volume, keeping the sub-folders: each file once it has stopped changing (same size and time on two looks a
/// tick apart), and everything left at shutdown. The workspace copy stays where it is, so the WebUI page the person
/// has open keeps showing the picture; the workspace dies with the runtime, so the person's folder holds the only
/// lasting copy. A file changed after delivery is delivered again; one the person deleted from "My files" is not.
/// </summary>
internal sealed partial class OutputDelivery(
    Workspace workspace, IOptions<AgentOptions> options, TimeProvider time, ILogger<OutputDelivery> logger) : BackgroundService
{
    /// <summary>Regular files only, recursively: links (ReparsePoint) and dotfiles (Hidden, e.g. partial writes) are skipped.</summary>
    public static readonly EnumerationOptions PlainFilesOnly = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden | FileAttributes.System,
        IgnoreInaccessible = true,
    };

    private readonly Dictionary<string, (long Length, DateTime Written)> seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Length, DateTime Written)> delivered = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim pass = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.OutputInterval, time);
        while (await Retry.NextTickAsync(timer, stoppingToken))
        {
            await DeliverAsync(everything: false, stoppingToken);
        }
    }

    /// <summary>At shutdown (SIGTERM from the kubelet or LocalAgones) everything still in the workspace goes out.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await DeliverAsync(everything: true, cancellationToken);
    }

    /// <summary>One pass over the workspace's outputs; returns how many files were delivered.</summary>
    public async Task<int> DeliverAsync(bool everything, CancellationToken ct)
    {
        if (workspace.Person is not { } person || !Directory.Exists(workspace.Outputs))
        {
            return 0;
        }

        await pass.WaitAsync(ct);
        try
        {
            var sourceRoot = ConfinedFiles.RealPath(workspace.Outputs);
            var destinationRoot = ConfinedFiles.RealPath(person.Outputs);
            var count = 0;
            foreach (var file in Directory.EnumerateFiles(workspace.Outputs, "*", PlainFilesOnly))
            {
                var info = new FileInfo(file);
                var now = (info.Length, info.LastWriteTimeUtc);
                var relative = Path.GetRelativePath(workspace.Outputs, file);
                var stable = seen.TryGetValue(relative, out var before) && before == now;
                seen[relative] = now;
                if ((!stable && !everything) || (delivered.TryGetValue(relative, out var sent) && sent == now))
                {
                    continue;
                }

                try
                {
                    if (await ConfinedFiles.CopyAsync(file, sourceRoot, Path.Combine(person.Outputs, relative), destinationRoot, ct))
                    {
                        delivered[relative] = now;
                        count++;
                        LogDelivered(relative);
                    }
                    else
                    {
                        delivered[relative] = now; // refused once, not on every tick
                        LogRefused(relative);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogFailed(relative, ex.Message); // tried again on the next pass
                }
            }

            return count;
        }
        finally
        {
            pass.Release();
        }
    }

    public override void Dispose()
    {
        pass.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Output {File} moved to the person's folder")]
    private partial void LogDelivered(string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Output {File} not moved: it leads outside the workspace")]
    private partial void LogRefused(string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Output {File} could not be moved yet ({Reason}); trying again")]
    private partial void LogFailed(string file, string reason);
}
