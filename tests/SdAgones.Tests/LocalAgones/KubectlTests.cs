using System.Diagnostics;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.LocalAgones;

/// <summary>Issue 22 (first part): the real kubectl, pointed at LocalAgones by a temporary kubeconfig, discovers every group.</summary>
public sealed class KubectlTests
{
    [Fact]
    public async Task Kubectl_lists_every_resource_with_its_short_name_and_gets_GameServers_by_gs()
    {
        await using var host = await LocalAgonesHost.StartAsync(buffer: 1, max: 1);
        await host.WaitForReadyAsync(1);
        var config = Path.Combine(host.StorageRoot, "kubeconfig");
        await File.WriteAllTextAsync(config, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: local, cluster: {server: "{{{host.Url.ToString().TrimEnd('/')}}}"}}]
            contexts: [{name: local, context: {cluster: local, namespace: default}}]
            current-context: local
            users: []
            """);

        var (code, output, errors) = await KubectlAsync(config, "api-resources");
        Assert.True(code == 0, errors);
        Assert.Matches(@"gameservers\s+gs\s+agones.dev/v1\s+true\s+GameServer", output);
        Assert.Matches(@"fleets\s+flt\s+agones.dev/v1\s+true\s+Fleet", output);
        Assert.Matches(@"gameserverallocations\s+gsa\s+allocation.agones.dev/v1\s+true\s+GameServerAllocation", output);

        var name = (await host.ListAsync()).Single(s => s.State == GameServerState.Ready).Name;
        (code, output, errors) = await KubectlAsync(config, "get", "gs", "-o", "name");
        Assert.True(code == 0, errors);
        Assert.Equal($"gameserver.agones.dev/{name}", output.Trim());

        // Control: an unknown short name is refused by kubectl itself.
        (code, _, errors) = await KubectlAsync(config, "get", "nosuchthing");
        Assert.NotEqual(0, code);
        Assert.Contains("the server doesn't have a resource type \"nosuchthing\"", errors, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Errors)> KubectlAsync(string config, params string[] args)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(config);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await output, await errors);
    }
}
