using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using SdAgones.CacheServer;
using SdAgones.Tests.Infrastructure;
using SdAgones.Contracts;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Tests.LocalAgones;

/// <summary>
/// <c>Fleet:RuntimeHosting=InProcess</c>: LocalAgones hosts each runtime's WebUI and agent inside its own process, and a
/// person still goes the whole way through a real gateway — allocated, served a generation, released, runtime gone.
/// </summary>
public sealed class InProcessHostingTests
{
    [Fact]
    public async Task A_runtime_hosted_in_process_is_allocated_serves_through_the_gateway_and_goes_away_on_release()
    {
        var cachePort = FreePort.Next();
        using var garnet = new EmbeddedGarnet(IPAddress.Loopback, cachePort);
        garnet.Start();
        await using var agones = ServiceProcess.Start("SdAgones.LocalAgones", new Dictionary<string, string>
        {
            ["Fleet:BufferSize"] = "1",
            ["Fleet:MinReplicas"] = "0",
            ["Fleet:MaxReplicas"] = "2",
            ["Fleet:StorageRoot"] = Directory.CreateTempSubdirectory("sdagones-inprocess-").FullName,
            ["Fleet:WebUIStepDelay"] = "00:00:00.002",
            ["Fleet:RuntimeHosting"] = "InProcess",
            ["Logging:LogLevel:SdAgones.LocalAgones.Pods"] = "Information", // the pods' "started" and "stopped" lines
        });
        await agones.WaitUntilHealthyAsync();
        await using var gateway = ServiceProcess.Start("SdAgones.Gateway", new Dictionary<string, string>
        {
            ["Identity:Mode"] = "Development",
            ["ConnectionStrings:cache"] = $"127.0.0.1:{cachePort.ToString(CultureInfo.InvariantCulture)}",
            ["Agones:ApiServer"] = agones.Url.ToString(),
        }, environment: "Development");
        await gateway.WaitUntilHealthyAsync();

        using var alice = GatewayClient.For(gateway.Url, "alice@example.com");
        var runtime = await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's in-process runtime");
        using var image = await alice.PostAsJsonAsync("/sdapi/v1/txt2img", new { prompt = "a lighthouse", seed = 7, steps = 2 });
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Single((await image.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("images").EnumerateArray());

        // In-process indeed: LocalAgones started both containers as hosts and has no child process at all.
        var podLog = string.Join(" | ", agones.Output.Split('\n').Where(l => l.Contains(runtime, StringComparison.Ordinal)).Select(l => l.Trim()));
        Assert.Contains($"Runtime {runtime}: webui started in-process", podLog, StringComparison.Ordinal);
        Assert.Contains($"Runtime {runtime}: agent started in-process", podLog, StringComparison.Ordinal);
        Assert.Empty(ProcessTable.ChildrenOf(agones.Id));
        var port = await WebUIPortAsync(agones.Url, runtime);
        Assert.True(await AnswersAsync(port), $"the WebUI of {runtime} answers on its own address {port}");

        using var released = await alice.PostAsync("/_sd/api/session/release", null);
        Assert.True((await released.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("released").GetBoolean());
        await Eventually.HoldsAsync(async () => await WebUIPortAsync(agones.Url, runtime) is null && !await AnswersAsync(port),
            TimeSpan.FromSeconds(60), $"{runtime} to be deleted and its WebUI at {port} to stop");
        Assert.Contains($"Runtime {runtime} stopped", agones.Output, StringComparison.Ordinal);
        Assert.False(agones.HasExited);
    }

    [Fact]
    public async Task Runtimes_hosted_in_process_take_no_inotify_instance_each_so_a_large_fleet_can_start()
    {
        // Linux gives each user 128 inotify instances by default (fs.inotify.max_user_instances); a file watcher per
        // in-process host used them up at about 60 runtimes, and every runtime after that failed to start.
        const int runtimes = 4;
        await using var agones = ServiceProcess.Start("SdAgones.LocalAgones", new Dictionary<string, string>
        {
            ["Fleet:BufferSize"] = runtimes.ToString(CultureInfo.InvariantCulture),
            ["Fleet:MinReplicas"] = runtimes.ToString(CultureInfo.InvariantCulture),
            ["Fleet:MaxReplicas"] = runtimes.ToString(CultureInfo.InvariantCulture),
            ["Fleet:StorageRoot"] = Directory.CreateTempSubdirectory("sdagones-inprocess-").FullName,
            ["Fleet:RuntimeHosting"] = "InProcess",
        });
        await agones.WaitUntilHealthyAsync();
        var before = InotifyInstancesOf(agones.Id);

        using var http = new HttpClient { BaseAddress = agones.Url };
        await Eventually.HoldsAsync(async () =>
            (await http.GetFromJsonAsync<GameServerList>("/apis/agones.dev/v1/namespaces/default/gameservers"))!.Items
                .Count(s => s.State == GameServerState.Ready) == runtimes,
            TimeSpan.FromSeconds(120), $"{runtimes} in-process runtimes to be Ready");

        var after = InotifyInstancesOf(agones.Id);
        Assert.True(after - before < runtimes,
            $"{runtimes} in-process runtimes took {after - before} inotify instances (from {before} to {after}); each one is one of 128 per user");
    }

    private static int InotifyInstancesOf(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget == "anon_inode:inotify";
            }
            catch (IOException)
            {
                return false; // closed meanwhile
            }
        });

    /// <summary>The runtime's WebUI address as Agones reports it (pod address first), or null once it is gone.</summary>
    private static async Task<Uri?> WebUIPortAsync(Uri agones, string runtime)
    {
        using var http = new HttpClient { BaseAddress = agones };
        var list = await http.GetFromJsonAsync<GameServerList>("/apis/agones.dev/v1/namespaces/default/gameservers");
        return list!.Items.FirstOrDefault(s => s.Name == runtime) is { } server ? RuntimeAddress.WebUI(server) : null;
    }

    private static async Task<bool> AnswersAsync(Uri? webUI)
    {
        if (webUI is null)
        {
            return false;
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(webUI.Host, webUI.Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
