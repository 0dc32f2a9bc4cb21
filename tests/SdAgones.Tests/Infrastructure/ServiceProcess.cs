using System.Diagnostics;
using System.Text;

namespace SdAgones.Tests.Infrastructure;

/// <summary>A service run as a real process from its build output, with its output kept for failure messages.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private int disposed;

    private ServiceProcess(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }
    public string Output { get { lock (output) { return output.ToString(); } } }
    public bool HasExited => process.HasExited;
    public int ExitCode => process.ExitCode;

    public static ServiceProcess Start(
        string project, IDictionary<string, string> settings, string environment = "Production", IDictionary<string, string>? variables = null)
    {
        var port = FreePort.Next();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(RepoPaths.ServiceAssembly(project))!,
        };
        info.ArgumentList.Add(RepoPaths.ServiceAssembly(project));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
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

        var service = new ServiceProcess(new Process { StartInfo = info }, new Uri($"http://127.0.0.1:{port}/"));
        service.process.OutputDataReceived += (_, e) => service.Append(e.Data);
        service.process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        service.process.Start();
        service.process.BeginOutputReadLine();
        service.process.BeginErrorReadLine();
        return service;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    public async Task WaitUntilHealthyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.HoldsAsync(async () =>
        {
            if (process.HasExited)
            {
                Assert.Fail($"the process exited with {process.ExitCode}: {Output}");
            }

            return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
        }, timeout ?? TimeSpan.FromSeconds(90), "the service to answer /healthz");
    }

    public Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return process.WaitForExitAsync(cts.Token).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);
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
}
