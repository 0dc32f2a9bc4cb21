using System.Diagnostics;
using System.Runtime.InteropServices;
using SdAgones.LocalAgones.Fleets;

namespace SdAgones.LocalAgones.Pods;

/// <summary>
/// One runtime as local processes, the pair a GKE pod holds: the WebUI (the stand-in here) and the in-pod agent,
/// plus this GameServer's Agones SDK server that both reach through <c>AGONES_SDK_HTTP_PORT</c>.
/// </summary>
internal sealed partial class RuntimePod(
    string name, int webUIPort, int sdkPort, FleetOptions options, TimeProvider time, ILogger logger) : IAsyncDisposable
{
    private readonly List<Process> processes = [];
    private readonly Dictionary<Process, string> containers = [];
    private bool stopping;
    private long lastHealthTicks = time.GetUtcNow().UtcTicks;
    private int exited;

    public string Name { get; } = name;
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
                return processes.ToDictionary(p => containers[p], p => p.Id);
            }
        }
    }

    public void RecordHealth() => Interlocked.Exchange(ref lastHealthTicks, time.GetUtcNow().UtcTicks);

    /// <summary>
    /// Starts the agent, then (after <see cref="FleetOptions.WebUIStartDelay"/>) the WebUI. The agent gets the SDK
    /// port, the WebUI's URL and the shared volume, exactly as the Fleet template gives them on GKE.
    /// </summary>
    public async Task StartProcessesAsync(CancellationToken ct)
    {
        StartedAt = time.GetUtcNow();
        RecordHealth();
        var storageRoot = Path.GetFullPath(options.StorageRoot);
        var dataRoot = Path.Combine(storageRoot, "runtimes", Name);
        Directory.CreateDirectory(dataRoot);
        var interval = TimeSpan.FromSeconds(Math.Min(2, options.HealthPeriodSeconds / 2.0));
        Start("agent", options.AgentAssembly,
            "--WebUI:Url", $"http://127.0.0.1:{WebUIPort}",
            "--Storage:Root", storageRoot,
            "--Agent:HealthInterval", interval.ToString("c"),
            "--Agent:HealthPeriod", TimeSpan.FromSeconds(options.HealthPeriodSeconds).ToString("c"));
        if (options.WebUIStartDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.WebUIStartDelay, time, ct);
        }

        Start("webui", options.WebUIAssembly,
            "--urls", $"http://127.0.0.1:{WebUIPort}",
            "--WebUI:DataRoot", dataRoot,
            "--WebUI:StepDelay", options.WebUIStepDelay.ToString("c"),
            "--WebUI:ModelLoadDelay", options.WebUIModelLoadDelay.ToString("c"));
    }

    private void Start(string container, string assembly, params string[] args)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
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

        info.Environment["AGONES_SDK_HTTP_PORT"] = SdkPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["AGONES_SDK_GRPC_PORT"] = "0";
        info.Environment["GAMESERVER_NAME"] = Name;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

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
        lock (processes)
        {
            stopping = true;
            started = [.. processes];
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Runtime {Runtime} [{Container}] {Line}")]
    private partial void LogOutput(string runtime, string container, string line);
}

internal static partial class NativeMethods
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
