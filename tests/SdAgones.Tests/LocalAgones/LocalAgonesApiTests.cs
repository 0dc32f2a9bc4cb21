using System.Net.Http.Json;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.LocalAgones;

/// <summary>LocalAgones driven with KubernetesClient, the same client code the gateway and the cruiser use.</summary>
public sealed class LocalAgonesApiTests(LocalAgonesFixture fixture) : IClassFixture<LocalAgonesFixture>
{
    private LocalAgonesHost Host => fixture.Host;

    private static GameServerAllocationSpec For(string label) => new()
    {
        Selectors =
        [
            new GameServerSelector { MatchLabels = new() { [AgonesApi.UserLabel] = label }, GameServerState = GameServerState.Allocated },
            new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = "sd-agones-fleet" }, GameServerState = GameServerState.Ready },
        ],
        Metadata = new AllocationMetadata
        {
            Labels = new() { [AgonesApi.UserLabel] = label },
            Annotations = new() { [AgonesApi.UserAnnotation] = label + "@example.com" },
        },
    };

    [Fact]
    public async Task An_allocated_runtime_serves_the_WebUI_at_its_PodIP_and_sd_port()
    {
        await Host.WaitForReadyAsync(1);

        var status = await Host.Agones.AllocateAsync(For("webui-check"), CancellationToken.None);

        Assert.Equal(AllocationState.Allocated, status.State);
        Assert.Contains(status.Addresses!, a => a.Type == GameServerAddress.PodIP);
        var target = RuntimeAddress.WebUI(status);
        Assert.NotNull(target);
        using var http = new HttpClient { BaseAddress = target };
        var options = await http.GetFromJsonAsync<JsonElement>("sdapi/v1/options");
        Assert.True(options.TryGetProperty("outdir_txt2img_samples", out _));
        var image = await http.PostAsJsonAsync("sdapi/v1/txt2img", new { prompt = "a lighthouse", seed = 7, steps = 2 });
        var body = await image.Content.ReadFromJsonAsync<JsonElement>();
        var png = Convert.FromBase64String(body.GetProperty("images")[0].GetString()!);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        var server = await Host.Agones.GetGameServerAsync(status.GameServerName!, CancellationToken.None);
        Assert.Equal("webui-check@example.com", server?.AllocatedUser);
    }

    [Fact]
    public async Task A_new_runtime_goes_Scheduled_then_Ready_and_then_Allocated()
    {
        await Host.WaitForReadyAsync(1);
        var list = await Host.Agones.ListGameServersAsync(null, CancellationToken.None);
        var states = new Dictionary<string, List<GameServerState>>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        string? allocated = null;

        // Allocating takes a Ready runtime; the Buffer policy starts a new one, which we watch from its birth.
        var watch = Task.Run(async () =>
        {
            await foreach (var (type, server) in Host.Agones.WatchGameServersAsync(list.Metadata.ResourceVersion, null, cts.Token))
            {
                if (type == WatchEventType.Added)
                {
                    states[server.Name] = [];
                }

                if (states.TryGetValue(server.Name, out var seen) && server.State is { } state && (seen.Count == 0 || seen[^1] != state))
                {
                    seen.Add(state);
                }

                if (states.Values.Any(s => s.Contains(GameServerState.Ready)))
                {
                    return states.First(kv => kv.Value.Contains(GameServerState.Ready));
                }
            }

            throw new TimeoutException("watch ended");
        }, cts.Token);
        allocated = (await Host.Agones.AllocateAsync(For("watcher"), CancellationToken.None)).GameServerName;
        var (name, born) = await watch;

        Assert.NotEqual(allocated, name);
        Assert.Contains(GameServerState.Scheduled, born);
        Assert.True(born.IndexOf(GameServerState.Scheduled) < born.IndexOf(GameServerState.Ready), string.Join(" → ", born));
        Assert.DoesNotContain(GameServerState.Allocated, born);

        // Then the watched runtime itself is allocated: a label only it carries makes the selector pick it.
        await Host.Agones.PatchGameServerMetadataAsync(name, new Dictionary<string, string> { ["pick"] = name }, null, CancellationToken.None);
        var status = await Host.Agones.AllocateAsync(new GameServerAllocationSpec
        {
            Selectors = [new GameServerSelector { MatchLabels = new() { ["pick"] = name } }],
            Metadata = new AllocationMetadata { Labels = new() { [AgonesApi.UserLabel] = "watcher-2" } },
        }, CancellationToken.None);
        Assert.Equal(AllocationState.Allocated, status.State);
        Assert.Equal(name, status.GameServerName);
        Assert.Equal(GameServerState.Allocated, (await Host.Agones.GetGameServerAsync(name, CancellationToken.None))?.State);
    }

    [Fact]
    public async Task Deleting_a_runtime_makes_the_fleet_start_a_replacement()
    {
        await Host.WaitForReadyAsync(2);
        var victim = (await Host.ListAsync()).First(s => s.State == GameServerState.Ready).Name;

        Assert.True(await Host.Agones.DeleteGameServerAsync(victim, CancellationToken.None));

        await Eventually.HoldsAsync(async () =>
        {
            var servers = await Host.ListAsync();
            return servers.All(s => s.Name != victim) && servers.Count(s => s.State == GameServerState.Ready) >= 2;
        }, TimeSpan.FromSeconds(90), "the deleted runtime to be replaced");
        Assert.Null(await Host.Agones.GetGameServerAsync(victim, CancellationToken.None));
    }

    [Fact]
    public async Task The_return_my_runtime_selectors_hand_back_the_same_runtime()
    {
        await Host.WaitForReadyAsync(1);
        var first = await Host.Agones.AllocateAsync(For("same-person"), CancellationToken.None);
        var second = await Host.Agones.AllocateAsync(For("same-person"), CancellationToken.None);

        Assert.Equal(AllocationState.Allocated, second.State);
        Assert.Equal(first.GameServerName, second.GameServerName);
    }

    [Fact]
    public async Task Errors_come_back_as_Kubernetes_Status_objects()
    {
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => Host.Kubernetes.CustomObjects.GetNamespacedCustomObjectAsync(
            AgonesApi.Group, AgonesApi.Version, "default", AgonesApi.GameServers, "no-such-runtime"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.Response.StatusCode);
        var status = KubernetesJson.Deserialize<k8s.Models.V1Status>(missing.Response.Content);
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal(404, status.Code);

        using var http = new HttpClient { BaseAddress = Host.Url };
        var bad = await http.GetAsync("/apis/agones.dev/v1/namespaces/default/gameservers?labelSelector=user%20in%20(a)");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"kind\":\"Status\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Labels_and_annotations_can_be_merge_patched()
    {
        await Host.WaitForReadyAsync(1);
        var name = (await Host.ListAsync()).First(s => s.State == GameServerState.Ready).Name;

        var patched = await Host.Agones.PatchGameServerMetadataAsync(name, new Dictionary<string, string> { ["team"] = "blue" },
            new Dictionary<string, string> { ["note"] = "patched" }, CancellationToken.None);
        Assert.Equal("blue", patched.Metadata.Labels["team"]);
        Assert.Equal("patched", patched.Metadata.Annotations["note"]);
        Assert.Contains(await Host.ListAsync("team=blue"), s => s.Name == name);
        Assert.DoesNotContain(await Host.ListAsync("team=red"), s => s.Name == name);
    }

    [Fact]
    public async Task A_fleet_without_autoscaler_is_scaled_up_and_down_by_patching_its_replicas()
    {
        await using var host = await LocalAgonesHost.StartAsync(buffer: 1, max: 3, "--Fleet:Autoscale", "false");
        Assert.Empty(await host.ListAsync()); // MinReplicas 0: nothing yet

        await ScaleAsync(host, 1);
        await host.WaitForReadyAsync(1);
        var fleet = await host.Agones.GetFleetAsync(CancellationToken.None);
        Assert.Equal(1, fleet?.Spec.Replicas);
        Assert.Equal(1, fleet?.Status.ReadyReplicas);

        await ScaleAsync(host, 0);
        await Eventually.HoldsAsync(async () => (await host.ListAsync()).Count == 0, TimeSpan.FromSeconds(30), "the fleet to scale down to 0");
        Assert.Equal(0, (await host.Agones.GetFleetAsync(CancellationToken.None))?.Spec.Replicas);
    }

    private static Task ScaleAsync(LocalAgonesHost host, int replicas) =>
        host.Kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync(
            new k8s.Models.V1Patch(new { spec = new { replicas } }, k8s.Models.V1Patch.PatchType.MergePatch),
            AgonesApi.Group, AgonesApi.Version, "default", AgonesApi.Fleets, "sd-agones-fleet");
}
