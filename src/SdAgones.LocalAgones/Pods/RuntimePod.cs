using System.Diagnostics;
using System.Runtime.InteropServices;
using SdAgones.Contracts.Profiles;
using SdAgones.LocalAgones.Fleets;

namespace SdAgones.LocalAgones.Pods;

/// <summary>
/// One runtime as local processes, the pair a GKE pod holds: the WebUI (the stand-in here) and the in-pod agent,
/// plus this GameServer's Agones SDK server that both reach through <c>AGONES_SDK_HTTP_PORT</c>. With
/// <see cref="RuntimeHosting.InProcess"/> the pair runs as two hosts inside LocalAgones instead, with the same
/// settings, ports and SDK server.
/// </summary>
internal sealed partial class RuntimePod(
    string name, string podIP, int webUIPort, int sdkPort, FleetOptions options, RuntimeProfile profile, TimeProvider time, ILogger logger,
    RuntimeHosting hosting = RuntimeHosting.Process) : IAsyncDisposable
{
    private readonly List<Process> processes = [];
    private readonly Dictionary<Process, string> containers = [];
    private readonly List<(string Container, IHost Host)> hosts = [];
    private bool stopping;
    private long lastHealthTicks = time.GetUtcNow().UtcTicks;
    private int exited;

    public string Name { get; } = name;
    public string PodIP { get; } = podIP;
    public int WebUIPort { get; } = webUIPort;
    public int SdkPort { get; } = sdkPort;
    public DateTimeOffset StartedAt { get; private set; } = time.GetUtcNow();

    public DateTimeOffset LastHealth => new(Interlocked.Read(ref lastHealthTicks), TimeSpan.Zero);

    /// <summary>Raised once when any of the pod's processes exits on its own (a crash, a kill, a lost node).</summary>
    public event Action<RuntimePod>? ProcessExited;

    /// <summary>Process ids by container name ("agent", "webui") of the processes started so far.</summary>
    public IReadOnlyDictionary<string, int> ProcessIds
    {
        get
        {
            lock (processes)
            {
                return hosts.Count > 0
                    ? hosts.ToDictionary(h => h.Container, _ => Environment.ProcessId)
                    : processes.ToDictionary(p => containers[p], p => p.Id);
            }
        }
    }

    public void RecordHealth() => Interlocked.Exchange(ref lastHealthTicks, time.GetUtcNow().UtcTicks);

    /// <summary>
    /// This runtime's pod-local folder (an emptyDir <c>workspace</c> on GKE): the WebUI's data folder, shared with the
    /// agent only. It is outside the shared volume and is deleted with the runtime.
    /// </summary>
    public string Workspace { get; } = Path.Combine(Path.GetTempPath(), "sdagones-workspaces", "runtimes", name);

    /// <summary>
    /// Starts the agent, then (after <see cref="FleetOptions.WebUIStartDelay"/>) the WebUI, with the layout of the Fleet
    /// template on GKE: the agent gets the SDK port, the WebUI's URL, the shared volume and the workspace; the WebUI gets
    /// only the workspace (its data folder) and the models on the shared volume, with the runtime's launch flags
    /// (deploy/sd-webui/webui-flags.md) followed by its profile's, and the profile's GPU to report. It is never told
    /// where the people's folders are.
    /// </summary>
    public async Task StartProcessesAsync(CancellationToken ct)
    {
        StartedAt = time.GetUtcNow();
        RecordHealth();
        var storageRoot = Path.GetFullPath(options.StorageRoot);
        var models = Path.Combine(storageRoot, "models");
        Directory.CreateDirectory(models);
        Directory.CreateDirectory(Workspace);
        var interval = TimeSpan.FromSeconds(Math.Min(2, options.HealthPeriodSeconds / 2.0));
        await StartAsync(ServiceNames.Agent, options.AgentAssembly,
            SettingKeys.Switch(SettingKeys.WebUIUrl), $"http://{PodIP}:{WebUIPort}",
            SettingKeys.Switch(SettingKeys.StorageRoot), storageRoot,
            SettingKeys.Switch(SettingKeys.StorageWorkspace), Workspace,
            SettingKeys.Switch(SettingKeys.AgentHealthInterval), interval.ToString("c"),
            SettingKeys.Switch(SettingKeys.AgentHealthPeriod), TimeSpan.FromSeconds(options.HealthPeriodSeconds).ToString("c"));
        if (options.WebUIStartDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.WebUIStartDelay, time, ct);
        }

        // --urls keeps each local WebUI on loopback (a pod's --listen would expose it to the machine's network).
        await StartAsync(ServiceNames.WebUI, options.WebUIAssembly,
            "--urls", $"http://{PodIP}:{WebUIPort}",
            SettingKeys.Switch(SettingKeys.WebUICommandLineArgs),
            $"--api --listen --port {WebUIPort} --hide-ui-dir-config --data-dir \"{Workspace}\" --models-dir \"{models}\" {profile.WebUIFlags}".TrimEnd(),
            SettingKeys.Switch(SettingKeys.WebUIProfile), profile.Slug,
            SettingKeys.Switch(SettingKeys.WebUIGpuType), profile.GpuType,
            SettingKeys.Switch(SettingKeys.WebUIGpuCount), profile.GpuCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            SettingKeys.Switch(SettingKeys.WebUIGpuMemoryGiB), profile.EffectiveGpuMemoryGiB.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--WebUI:StepDelay", options.WebUIStepDelay.ToString("c"),
            "--WebUI:ModelLoadDelay", options.WebUIModelLoadDelay.ToString("c"));
    }

    private async Task StartAsync(string container, string assembly, params string[] args)
    {
        if (hosting == RuntimeHosting.Process)
        {
            Start(container, assembly, args);
            return;
        }

        // What the process mode puts in the container's environment goes on the command line: it outranks the
        // environment LocalAgones itself runs in, which the hosts would otherwise read.
        string[] environment =
        [
            "--contentRoot", Path.GetDirectoryName(assembly)!,
            "--environment", "Production",
            "--AGONES_SDK_HTTP_PORT", SdkPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--AGONES_SDK_GRPC_PORT", "0",
            "--GAMESERVER_NAME", Name,
            "--OTEL_SERVICE_NAME", container,
            "--OTEL_RESOURCE_ATTRIBUTES", $"service.instance.id={Name}",
            "--Logging:LogLevel:Default", "Warning",
            // No file watcher per host: each would take one of the user's inotify instances (128 by default on Linux,
            // fs.inotify.max_user_instances), and at about 60 runtimes the next host could not start.
            "--hostBuilder:reloadConfigOnChange", "false",
        ];
        // A host still watches its content root through a PhysicalFileProvider (one inotify instance each, even with the
        // configuration reload off); the polling watcher takes none. Read when a provider is made, so set before any host.
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
        var (builderType, builderMethod) = container == ServiceNames.WebUI ? ("SdAgones.WebUI.StandInWebUi", "Build") : ("SdAgones.Agent.AgentHost", "Build");
        var host = ContainerAssembly.Build(assembly, builderType, builderMethod, [.. args, .. environment]);
        lock (processes)
        {
            if (stopping)
            {
                host.Dispose();
                return; // the pod was stopped while this container waited to start
            }

            hosts.Add((container, host));
        }

        await host.StartAsync(CancellationToken.None);
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() =>
        {
            if (Interlocked.Exchange(ref exited, 1) == 0)
            {
                ProcessExited?.Invoke(this);
            }
        });
        LogStartedInProcess(Name, container);
    }

    private void Start(string container, string assembly, params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // the lifeline: only this process holds the pipe's write end (see ParentLifeline)
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        info.ArgumentList.Add(assembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // A pod does not inherit the control plane's environment: drop what would rebind ports or mislabel telemetry.
        foreach (var key in info.Environment.Keys.Where(k =>
                     k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)
                     || k.StartsWith("services__", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                     || k is "HTTP_PORTS" or "HTTPS_PORTS" or "DOTNET_LAUNCH_PROFILE").ToList())
        {
            info.Environment.Remove(key);
        }

        // ...but telemetry goes where the control plane's goes, under the container's own service name.
        foreach (var key in (string[])[SettingKeys.OtelExporterEndpoint, "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_BSP_SCHEDULE_DELAY"])
        {
            if (Environment.GetEnvironmentVariable(key) is { } value)
            {
                info.Environment[key] = value;
            }
        }

        (info.Environment[SettingKeys.OtelServiceName], info.Environment["OTEL_RESOURCE_ATTRIBUTES"]) = (container, $"service.instance.id={Name}");
        info.Environment[AgonesApi.SdkHttpPortVariable] = SdkPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["AGONES_SDK_GRPC_PORT"] = "0";
        info.Environment["GAMESERVER_NAME"] = Name;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment[ParentLifeline.Setting] = "true"; // however LocalAgones ends, its runtimes end with it

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { LogOutput(Name, container, e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { LogOutput(Name, container, e.Data); } };
        process.Exited += (_, _) =>
        {
            if (Interlocked.Exchange(ref exited, 1) == 0)
            {
                ProcessExited?.Invoke(this);
            }
        };
        lock (processes)
        {
            if (stopping)
            {
                process.Dispose();
                return; // the pod was stopped while this container waited to start
            }

            process.Start();
            processes.Add(process);
            containers[process] = container;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        LogStarted(Name, container, process.Id);
    }

    /// <summary>SIGTERM, a grace period, then SIGKILL: what the kubelet does to a pod.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Interlocked.Exchange(ref exited, 1); // an exit we asked for is not a crash
        List<Process> started;
        List<(string Container, IHost Host)> inProcess;
        lock (processes)
        {
            stopping = true;
            started = [.. processes];
            inProcess = [.. hosts];
        }

        using (var graceful = new CancellationTokenSource(grace))
        {
            // Both at once, as the kubelet's SIGTERM reaches both containers of a pod.
            await Task.WhenAll(inProcess.Select(async h =>
            {
                try
                {
                    await h.Host.StopAsync(graceful.Token);
                }
                catch (OperationCanceledException)
                {
                    // the grace period passed: disposing below ends what is left
                }
            }));
        }

        foreach (var process in started.Where(p => !p.HasExited))
        {
            _ = SendTerm(process.Id);
        }

        using var cts = new CancellationTokenSource(grace);
        foreach (var process in started)
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5));
        lock (processes)
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }

            foreach (var (_, host) in hosts)
            {
                host.Dispose();
            }
        }

        // The pod-local folder dies with the pod; the agent has moved the person's outputs out before it exited.
        try
        {
            Directory.Delete(Workspace, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // never started
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogWorkspaceLeft(Name, ex.Message);
        }
    }

    private static string DotnetHost()
    {
        // .../dotnet/shared/Microsoft.NETCore.App/<version>/ → .../dotnet/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }

    private static int SendTerm(int pid) => OperatingSystem.IsWindows() ? -1 : NativeMethods.Kill(pid, 15);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime {Runtime}: {Container} started as process {Pid}")]
    private partial void LogStarted(string runtime, string container, int pid);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime {Runtime}: {Container} started in-process")]
    private partial void LogStartedInProcess(string runtime, string container);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Runtime {Runtime}: its workspace could not be deleted ({Reason})")]
    private partial void LogWorkspaceLeft(string runtime, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Runtime {Runtime} [{Container}] {Line}")]
    private partial void LogOutput(string runtime, string container, string line);
}

internal static partial class NativeMethods
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
