using k8s;
using Microsoft.Extensions.DependencyInjection;
using SdAgones.LocalAgones.Pods;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Agent;

/// <summary>A runtime whose WebUI takes its time to come up (as a real one loading a model does) is not handed out early.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task A_runtime_becomes_Ready_only_after_its_WebUI_answers()
    {
        await using var host = await LocalAgonesHost.StartAsync(buffer: 1, max: 1, "--Fleet:WebUIStartDelay", "00:00:10");
        var supervisor = host.Services.GetRequiredService<RuntimeSupervisor>();

        // The agent is up and talking to the SDK (it has reported busy=false) while the WebUI has not started yet.
        var early = await Eventually.ReturnsAsync(async () =>
        {
            var server = (await host.ListAsync()).FirstOrDefault();
            var talking = server?.Metadata.Annotations?.ContainsKey(AgonesApi.BusyAnnotation) == true;
            return talking && supervisor.Find(server!.Name) is { } pod && !pod.ProcessIds.ContainsKey("webui") ? server : null;
        }, TimeSpan.FromSeconds(60), "the agent to run while the WebUI has not started");
        Assert.Equal(GameServerState.Scheduled, early.State);

        await host.WaitForReadyAsync(1);
        var ready = (await host.ListAsync()).Single();
        using var webUI = new HttpClient { BaseAddress = RuntimeAddress.WebUI(ready) };
        using var page = await webUI.GetAsync("");
        Assert.True(page.IsSuccessStatusCode);
        Assert.True(supervisor.Find(ready.Name)!.ProcessIds.ContainsKey("webui"));
    }

    /// <summary>
    /// Issue 23 finding 1: the SDK applies <c>/ready</c> ~500 ms later and unconditionally, so an agent that calls
    /// <c>/ready</c> again while the GameServer still reads RequestReady leaves a late write in flight; a person
    /// allocated meanwhile would have it land on their runtime (Allocated → RequestReady → Ready, back in the pool).
    /// The GameServer controller is slowed to 1.5 s (a busy cluster) so the window is wide enough to be hit every time.
    /// </summary>
    [Fact]
    public async Task A_person_allocated_the_moment_a_runtime_turns_Ready_keeps_it()
    {
        await using var host = await LocalAgonesHost.StartAsync(buffer: 1, max: 1, "--Fleet:RequestReadyDelay", "00:00:01.500");
        var list = await host.Agones.ListGameServersAsync(null, CancellationToken.None);
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var states = new List<(string Name, GameServerState? State)>();
        GameServerAllocationStatus? allocation = null;
        var spec = new GameServerAllocationSpec
        {
            Selectors = [new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = "sd-agones-fleet" } }],
            Metadata = new AllocationMetadata { Labels = new() { [AgonesApi.UserLabel] = "carol" } },
        };

        // The person is waiting: they are allocated the moment a runtime turns Ready; then we watch it for a while
        // longer than the SDK's delay plus the controller's.
        var window = TimeSpan.FromSeconds(4);
        try
        {
            await foreach (var (type, server) in host.Agones.WatchGameServersAsync(list.Metadata.ResourceVersion, null, watching.Token))
            {
                lock (states)
                {
                    states.Add((server.Name, server.State));
                }

                if (allocation is null && server.State == GameServerState.Ready)
                {
                    allocation = await host.Agones.AllocateAsync(spec, CancellationToken.None);
                    Assert.Equal(AllocationState.Allocated, allocation.State);
                    watching.CancelAfter(window); // the quantity under test: nothing happens to it within this time
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the window ended
        }

        Assert.NotNull(allocation);
        var mine = allocation.GameServerName!;
        var after = states.SkipWhile(s => s.Name != mine || s.State != GameServerState.Allocated).Where(s => s.Name == mine).Select(s => s.State).ToList();
        Assert.True(after.All(s => s == GameServerState.Allocated), "after the allocation the runtime went " + string.Join(" → ", after));
        var now = await host.Agones.GetGameServerAsync(mine, CancellationToken.None);
        Assert.Equal(GameServerState.Allocated, now?.State);
        Assert.Equal("carol", now?.Metadata.Labels[AgonesApi.UserLabel]);
    }

    /// <summary>
    /// A WebUI loading its model serves its page at once and its API routes halfway through the load (as A1111 does);
    /// the runtime turns Ready only once the model is loaded, so the first person's generation does not wait for it.
    /// </summary>
    [Fact]
    public async Task A_runtime_whose_WebUI_is_still_loading_its_model_is_not_Ready_before_the_model_is_loaded()
    {
        var load = TimeSpan.FromSeconds(16);
        await using var host = await LocalAgonesHost.StartAsync(buffer: 1, max: 1, "--Fleet:WebUIModelLoadDelay", load.ToString("c"));
        var supervisor = host.Services.GetRequiredService<RuntimeSupervisor>();

        // Halfway through the load the API routes answer (a plain GET works) while the GameServer is not Ready yet.
        var server = await Eventually.ReturnsAsync(async () => (await host.ListAsync()).FirstOrDefault(s => RuntimeAddress.WebUI(s) is not null), TimeSpan.FromSeconds(60), "the runtime to get an address");
        using var webUI = new HttpClient { BaseAddress = RuntimeAddress.WebUI(server), Timeout = TimeSpan.FromSeconds(60) };
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                using var options = await webUI.GetAsync("sdapi/v1/options");
                return options.StatusCode == System.Net.HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the WebUI's API routes to answer", TimeSpan.FromMilliseconds(100));
        Assert.NotEqual(GameServerState.Ready, (await host.Agones.GetGameServerAsync(server.Name, CancellationToken.None))?.State);

        await host.WaitForReadyAsync(1, TimeSpan.FromSeconds(120));
        var readyAfter = DateTimeOffset.UtcNow - supervisor.Find(server.Name)!.StartedAt;
        Assert.True(readyAfter >= load, $"Ready {readyAfter.TotalSeconds:F1} s after the pod started, before its {load.TotalSeconds:F0} s model load ended");
    }
}
