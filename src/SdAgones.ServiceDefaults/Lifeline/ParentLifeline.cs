using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Ends a process that LocalAgones started as part of a local runtime once LocalAgones is gone, however it ended
/// (stopped, crashed, SIGKILL), so no runtime outlives its control plane. LocalAgones holds the write end of this
/// process's stdin and the kernel closes it when LocalAgones dies, so the end of stdin is the signal: no polling and no
/// native call (.NET has no <c>PR_SET_PDEATHSIG</c>). Off unless <see cref="Setting"/> is <c>true</c>: a container's
/// stdin is usually empty from the start.
/// </summary>
public sealed partial class ParentLifeline(IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ParentLifeline> logger) : BackgroundService
{
    /// <summary>The environment variable LocalAgones sets on the processes it starts.</summary>
    public const string Setting = "SDAGONES_EXIT_WHEN_STDIN_CLOSES";

    /// <summary>How long a graceful stop may take once the parent is gone before the process exits anyway.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A blocking read on a thread of its own: stdin has no asynchronous read that a pool thread should wait in.
        var ended = Task.Factory.StartNew(ReadToEnd, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.WhenAny(ended, Task.Delay(Timeout.Infinite, stoppingToken));
        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        LogParentGone(Grace.TotalSeconds);
        lifetime.StopApplication();
        var stopped = new TaskCompletionSource();
        using (lifetime.ApplicationStopped.Register(() => stopped.TrySetResult()))
        {
            await Task.WhenAny(stopped.Task, Task.Delay(Grace, time));
        }

        if (!stopped.Task.IsCompleted)
        {
            LogExiting(Grace.TotalSeconds);
            Environment.Exit(1);
        }
    }

    private static void ReadToEnd()
    {
        using var stdin = Console.OpenStandardInput();
        var buffer = new byte[256];
        try
        {
            while (stdin.Read(buffer) > 0)
            {
                // nothing is ever written; only the end counts
            }
        }
        catch (IOException)
        {
            // a broken pipe is an end too
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The process that started this one is gone (stdin closed): stopping, {Seconds:F0} s at most")]
    private partial void LogParentGone(double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Still running {Seconds:F0} s after the parent left: exiting")]
    private partial void LogExiting(double seconds);
}

/// <summary>Registers <see cref="ParentLifeline"/> when the process was started with <see cref="ParentLifeline.Setting"/>.</summary>
public static class ParentLifelineExtensions
{
    public static TBuilder AddParentLifeline<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (string.Equals(builder.Configuration[ParentLifeline.Setting], "true", StringComparison.OrdinalIgnoreCase))
        {
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddHostedService<ParentLifeline>();
        }

        return builder;
    }
}
