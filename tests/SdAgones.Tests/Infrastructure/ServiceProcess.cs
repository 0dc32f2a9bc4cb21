using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// A service run as a real process from its build output, with its output kept for failure messages. It listens on a
/// port the operating system picks (<c>--urls http://127.0.0.1:0</c>) and reports it in its start-up line, so no port
/// is chosen by the test and then lost to another process before the service binds it.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int disposed;

    private ServiceProcess(Process process, string project)
    {
        this.process = process;
        Project = project;
    }

    /// <summary>The project run, e.g. <c>SdAgones.Gateway</c>.</summary>
    public string Project { get; }

    /// <summary>Where the service listens; known once it has logged "Now listening on" (after <see cref="WaitUntilHealthyAsync"/>).</summary>
    public Uri Url => listening.Task.IsCompletedSuccessfully
        ? listening.Task.Result
        : throw new InvalidOperationException("the service has not reported its address yet: " + Output);

    public string Output { get { lock (output) { return output.ToString(); } } }
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;
    public int Id => process.Id;

    public static ServiceProcess Start(
        string project, IDictionary<string, string> settings, string environment = "Production", IDictionary<string, string>? variables = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(RepoPaths.ServiceAssembly(project))!,
        };
        info.ArgumentList.Add(RepoPaths.ServiceAssembly(project));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var (key, value) in settings)
        {
            info.ArgumentList.Add($"--{key}={value}");
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = environment;
        info.Environment["DOTNET_ENVIRONMENT"] = environment;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in variables ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information"; // the "Now listening on" line
        var service = new ServiceProcess(new Process { StartInfo = info, EnableRaisingEvents = true }, project);
        service.process.OutputDataReceived += (_, e) => service.Append(e.Data);
        service.process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        service.process.Start();
        service.process.BeginOutputReadLine();
        service.process.BeginErrorReadLine();
        return service;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups["url"].Value.TrimEnd('/') + "/"));
        }
    }

    public async Task WaitUntilHealthyAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        await Eventually.HoldsAsync(() =>
        {
            if (process.HasExited)
            {
                Assert.Fail($"the process exited with {process.ExitCode}: {Output}");
            }

            return Task.FromResult(listening.Task.IsCompletedSuccessfully);
        }, limit, "the service to report the address it listens on");
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.HoldsAsync(async () =>
        {
            if (process.HasExited)
            {
                Assert.Fail($"the process exited with {process.ExitCode}: {Output}");
            }

            return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
        }, limit, "the service to answer /healthz");
    }

    /// <summary>True when the process exited within <paramref name="timeout"/>; false (never a hang) when it keeps running.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
