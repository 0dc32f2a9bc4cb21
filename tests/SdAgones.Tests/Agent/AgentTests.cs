using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SdAgones.LocalAgones.Pods;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Agent;

/// <summary>The in-pod agent, run by LocalAgones beside each stand-in WebUI as on GKE, seen from outside.</summary>
public sealed class AgentTests(AgentFixture fixture) : IClassFixture<AgentFixture>
{
    private LocalAgonesHost Host => fixture.Host;

    [Fact]
    public async Task On_allocation_for_alice_her_folders_exist_and_her_images_land_in_her_outputs()
    {
        var (status, label) = await fixture.AllocateAsync("alice@example.com");
        var alice = fixture.UserFolder(label);
        using var webUI = AgentFixture.WebUI(status);

        await Eventually.HoldsAsync(() => Task.FromResult(Directory.Exists(Path.Combine(alice, "outputs")) && Directory.Exists(Path.Combine(alice, "inputs"))),
            TimeSpan.FromSeconds(30), "alice's outputs and inputs folders");
        await AgentFixture.WaitForOutputsAsync(Path.Combine(alice, "outputs"));
        var saved = await AgentFixture.GenerateIntoAsync(webUI, Path.Combine(alice, "outputs"));

        Assert.StartsWith(Path.Combine(alice, "outputs", "txt2img-images") + Path.DirectorySeparatorChar, saved, StringComparison.Ordinal);
        Assert.True(File.Exists(saved));
        await fixture.ReleaseAsync(status);
    }

    [Fact]
    public async Task A_second_persons_images_land_in_their_own_folder_not_alices()
    {
        var (aliceStatus, aliceLabel) = await fixture.AllocateAsync("alice.second@example.com");
        var (bobStatus, bobLabel) = await fixture.AllocateAsync("bob@example.com");
        using var aliceWebUI = AgentFixture.WebUI(aliceStatus);
        using var bobWebUI = AgentFixture.WebUI(bobStatus);
        var aliceOutputs = Path.Combine(fixture.UserFolder(aliceLabel), "outputs");
        var bobOutputs = Path.Combine(fixture.UserFolder(bobLabel), "outputs");
        await AgentFixture.WaitForOutputsAsync(aliceOutputs);
        await AgentFixture.WaitForOutputsAsync(bobOutputs);

        var aliceImage = await AgentFixture.GenerateIntoAsync(aliceWebUI, aliceOutputs);
        var bobImage = await AgentFixture.GenerateIntoAsync(bobWebUI, bobOutputs);

        Assert.NotEqual(aliceStatus.GameServerName, bobStatus.GameServerName);
        Assert.StartsWith(bobOutputs + Path.DirectorySeparatorChar, bobImage, StringComparison.Ordinal);
        Assert.StartsWith(aliceOutputs + Path.DirectorySeparatorChar, aliceImage, StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateFiles(aliceOutputs, "*.png", SearchOption.AllDirectories));
        Assert.Single(Directory.EnumerateFiles(bobOutputs, "*.png", SearchOption.AllDirectories));
        await fixture.ReleaseAsync(aliceStatus);
        await fixture.ReleaseAsync(bobStatus);
    }

    [Fact]
    public async Task A_hostile_identity_gets_a_folder_inside_the_users_root_and_nothing_outside_it()
    {
        var before = Directory.EnumerateFileSystemEntries(Host.StorageRoot).ToHashSet();
        var (status, label) = await fixture.AllocateAsync("../../etc/ünïcode/" + new string('x', 500));
        using var webUI = AgentFixture.WebUI(status);
        var users = Path.Combine(Host.StorageRoot, "users") + Path.DirectorySeparatorChar;

        await AgentFixture.WaitForOutputsAsync(Path.Combine(fixture.UserFolder(label), "outputs"));
        var saved = await AgentFixture.GenerateIntoAsync(webUI, Path.Combine(fixture.UserFolder(label), "outputs"));

        Assert.StartsWith(users, Path.GetFullPath(saved), StringComparison.Ordinal);
        Assert.Equal(users.TrimEnd(Path.DirectorySeparatorChar), Path.GetDirectoryName(fixture.UserFolder(label)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Host.StorageRoot).Except(before).Except([users.TrimEnd(Path.DirectorySeparatorChar)]));
        Assert.False(Directory.Exists(Path.Combine(Host.StorageRoot, "..", "etc", "ünïcode")));
        await fixture.ReleaseAsync(status);
    }

    [Fact]
    public async Task A_long_generation_is_reported_busy_while_it_runs_and_not_busy_after()
    {
        var (status, _) = await fixture.AllocateAsync("painter@example.com");
        using var webUI = AgentFixture.WebUI(status);
        await Eventually.HoldsAsync(async () => await BusyAsync(status) == "false", TimeSpan.FromSeconds(30), "busy=false before any generation");

        var generation = AgentFixture.GenerateAsync(webUI, steps: 100); // 100 × 50 ms
        await Eventually.HoldsAsync(async () => await BusyAsync(status) == "true", TimeSpan.FromSeconds(30), "busy=true while generating");
        Assert.False(generation.IsCompleted, "busy must be seen while the generation still runs");
        await generation;

        await Eventually.HoldsAsync(async () => await BusyAsync(status) == "false", TimeSpan.FromSeconds(30), "busy=false after the generation");
        await fixture.ReleaseAsync(status);
    }

    [Fact]
    public async Task Killing_a_runtimes_agent_makes_it_Unhealthy_and_the_fleet_replaces_it()
    {
        await Host.WaitForReadyAsync(2);
        var servers = await Host.ListAsync();
        var victim = servers.First(s => s.State == GameServerState.Ready).Name;
        var pod = Host.Services.GetRequiredService<RuntimeSupervisor>().Find(victim)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var list = await Host.Agones.ListGameServersAsync(null, cts.Token);
        var unhealthy = Task.Run(async () =>
        {
            await foreach (var (_, server) in Host.Agones.WatchGameServersAsync(list.Metadata.ResourceVersion, null, cts.Token))
            {
                if (server.Name == victim && server.State == GameServerState.Unhealthy)
                {
                    return true;
                }
            }

            return false;
        }, cts.Token);

        using (var agent = Process.GetProcessById(pod.ProcessIds["agent"]))
        {
            agent.Kill();
        }

        Assert.True(await unhealthy, $"{victim} should turn Unhealthy once its agent dies");
        await Eventually.HoldsAsync(async () =>
        {
            var now = await Host.ListAsync();
            return now.All(s => s.Name != victim) && now.Count(s => s.State == GameServerState.Ready) >= 2;
        }, TimeSpan.FromSeconds(90), "the runtime to be replaced by a fresh Ready one");
    }

    private async Task<string?> BusyAsync(GameServerAllocationStatus status)
    {
        var server = await Host.Agones.GetGameServerAsync(status.GameServerName!, CancellationToken.None);
        return server?.Metadata.Annotations?.TryGetValue(AgonesApi.BusyAnnotation, out var busy) == true ? busy : null;
    }
}
