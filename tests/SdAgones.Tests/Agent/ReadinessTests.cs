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
}
