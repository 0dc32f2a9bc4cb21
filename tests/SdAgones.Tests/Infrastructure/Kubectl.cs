using System.Diagnostics;

namespace SdAgones.Tests.Infrastructure;

/// <summary>The real kubectl pointed at a LocalAgones, as an operator points it at a cluster.</summary>
public static class Kubectl
{
    /// <summary>Writes a kubeconfig for <paramref name="server"/> (namespace default) to <paramref name="path"/> and returns the path.</summary>
    public static async Task<string> WriteConfigAsync(Uri server, string path)
    {
        await File.WriteAllTextAsync(path, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: local, cluster: {server: "{{{server.ToString().TrimEnd('/')}}}"}}]
            contexts: [{name: local, context: {cluster: local, namespace: default}}]
            current-context: local
            users: []
            """);
        return path;
    }

    /// <summary>The start info of <c>kubectl --kubeconfig {config} {args}</c>.</summary>
    public static ProcessStartInfo Info(string config, params string[] args)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(config);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Runs kubectl to its end (at most a minute): exit code, output, errors.</summary>
    public static async Task<(int Code, string Output, string Errors)> RunAsync(string config, params string[] args)
    {
        using var process = Process.Start(Info(config, args))!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await output, await errors);
    }
}
