using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SdAgones.Contracts.Profiles;
using SdAgones.LocalAgones.Fleets;
using SdAgones.LocalAgones.Sdk;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Pods;

/// <summary>Starts and stops the local "pods" of GameServers: ports, the SDK server, the processes.</summary>
internal sealed partial class RuntimeSupervisor(
    GameServerRegistry registry,
    IOptions<FleetOptions> options,
    IOptions<RuntimeHostingOptions> hosting,
    TimeProvider time,
    ILogger<RuntimeSupervisor> logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Running> pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();

    private int disposed;

    private sealed record Running(RuntimePod Pod, CancellationTokenSource Cancel)
    {
        public SdkServer? Sdk { get; set; }
        public Task? Processes { get; set; }
    }

    public RuntimePod? Find(string name) => pods.TryGetValue(name, out var running) ? running.Pod : null;

    public IEnumerable<RuntimePod> Pods => pods.Values.Select(r => r.Pod);

    /// <summary>
    /// Gives a new GameServer its ports and address, then (after the start delay) its SDK and processes, started with
    /// <paramref name="profile"/> (its Fleet's).
    /// </summary>
    public void Launch(string name, RuntimeProfile profile)
    {
        var settings = options.Value;
        var spec = registry.Get(name)?.Spec.Ports.FirstOrDefault(p => p.Name == AgonesApi.WebUIPortName);
        PodPorts ports;
        try
        {
            ports = PodNetwork.Assign(spec ?? new GameServerPort { Name = AgonesApi.WebUIPortName, PortPolicy = "Dynamic" });
        }
        catch (InvalidOperationException ex)
        {
            LogStartFailed(name, ex);
            registry.TryMove(name, GameServerState.Error);
            return;
        }

        var pod = new RuntimePod(name, ports.PodIP, ports.Listen, PodNetwork.FreePort(), settings, profile, time, logger, hosting.Value.RuntimeHosting);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        var running = new Running(pod, cancel);
        if (!pods.TryAdd(name, running))
        {
            return;
        }

        pod.ProcessExited += OnProcessExited;
        registry.TryMove(name, GameServerState.Starting, s =>
        {
            s.Status!.Ports = [new GameServerStatusPort { Name = AgonesApi.WebUIPortName, Port = ports.Reported }];
            s.Status.Address = "127.0.0.1";
            s.Status.NodeName = Environment.MachineName.ToLowerInvariant();
            s.Status.Addresses =
            [
                new GameServerAddress { Type = "InternalIP", Address = "127.0.0.1" },
                new GameServerAddress { Type = "Hostname", Address = "localhost" },
                new GameServerAddress { Type = GameServerAddress.PodIP, Address = ports.PodIP },
            ];
        });
        _ = StartAsync(running, settings.StartDelay, cancel.Token);
    }

    private async Task StartAsync(Running running, TimeSpan delay, CancellationToken ct)
    {
        var pod = running.Pod;
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, ct);
            }

            running.Sdk = await SdkServer.StartAsync(pod, registry, options.Value.SdkRequestRateLimit, time, ct);
            if (!registry.TryMove(pod.Name, GameServerState.Scheduled))
            {
                return;
            }

            running.Processes = pod.StartProcessesAsync(ct);
            await running.Processes;
        }
        catch (OperationCanceledException)
        {
            // stopped before it started
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            LogStartFailed(pod.Name, ex);
            registry.TryMove(pod.Name, GameServerState.Error);
        }
    }

    private void OnProcessExited(RuntimePod pod)
    {
        LogProcessExited(pod.Name);
        registry.TryMove(pod.Name, GameServerState.Unhealthy);
    }

    /// <summary>Stops the pod's processes and SDK server (the GameServer object is removed by the controller).</summary>
    public async Task StopAsync(string name)
    {
        if (!pods.TryRemove(name, out var running))
        {
            return;
        }

        await running.Cancel.CancelAsync();
        await running.Pod.DisposeAsync();
        if (running.Sdk is { } sdk)
        {
            await sdk.DisposeAsync();
        }

        if (running.Processes is { } starting)
        {
            await starting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        running.Cancel.Dispose();
        LogStopped(name);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        await Task.WhenAll(pods.Keys.ToList().Select(StopAsync));
        stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime {Runtime} failed to start")]
    private partial void LogStartFailed(string runtime, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime {Runtime}: a process exited on its own, marking it Unhealthy")]
    private partial void LogProcessExited(string runtime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime {Runtime} stopped")]
    private partial void LogStopped(string runtime);
}
