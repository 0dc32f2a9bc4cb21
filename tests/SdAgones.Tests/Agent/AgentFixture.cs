using System.Net.Http.Json;
using System.Text.Json;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Agent;

/// <summary>
/// One LocalAgones whose runtimes are real agent + stand-in WebUI process pairs, with generations slow enough
/// (50 ms a step) to be seen running. Shared by a test class; each test allocates its own runtimes.
/// </summary>
public sealed class AgentFixture : IAsyncLifetime
{
    public LocalAgonesHost Host { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Host = await LocalAgonesHost.StartAsync(buffer: 2, max: 8, "--Fleet:WebUIStepDelay", "00:00:00.050");

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Allocates a runtime to <paramref name="identity"/> the way the gateway does, and returns it with the person's label.</summary>
    public async Task<(GameServerAllocationStatus Status, string Label)> AllocateAsync(string identity)
    {
        await Host.WaitForReadyAsync(1);
        var label = PersonLabel.For(identity);
        var status = await Host.Agones.AllocateAsync(new GameServerAllocationSpec
        {
            Selectors =
            [
                new GameServerSelector { MatchLabels = new() { [AgonesApi.UserLabel] = label }, GameServerState = GameServerState.Allocated },
                new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = "sd-agones-fleet" }, GameServerState = GameServerState.Ready },
            ],
            Metadata = new AllocationMetadata
            {
                Labels = new() { [AgonesApi.UserLabel] = label },
                Annotations = new() { [AgonesApi.UserAnnotation] = identity },
            },
        }, CancellationToken.None);
        Assert.Equal(AllocationState.Allocated, status.State);
        return (status, label);
    }

    /// <summary>The person's folder on the shared volume, as the agent is meant to create it.</summary>
    public string UserFolder(string label) => Path.Combine(Host.StorageRoot, "users", label);

    /// <summary>Waits until the agent has prepared the person's <paramref name="outputs"/> folder (it does so on allocation).</summary>
    public static Task WaitForOutputsAsync(string outputs) =>
        Eventually.HoldsAsync(() => Task.FromResult(Directory.Exists(outputs)), TimeSpan.FromSeconds(30), $"the agent to create {outputs}");

    /// <summary>
    /// Generates through the runtime's WebUI (which saves in its pod-local workspace) and waits until the agent has
    /// moved the image, byte for byte, to the person's <paramref name="outputs"/>; returns where it landed there.
    /// </summary>
    public static async Task<string> GenerateIntoAsync(HttpClient webUI, string outputs)
    {
        var saved = await GenerateAsync(webUI);
        var dataDir = (await webUI.GetFromJsonAsync<JsonElement>("sdapi/v1/cmd-flags")).GetProperty("data_dir").GetString()!;
        var delivered = Path.Combine(outputs, Path.GetRelativePath(Path.Combine(dataDir, "outputs"), saved));
        var bytes = await File.ReadAllBytesAsync(saved);
        await Eventually.HoldsAsync(
            async () => File.Exists(delivered) && (await File.ReadAllBytesAsync(delivered)).AsSpan().SequenceEqual(bytes),
            TimeSpan.FromSeconds(30), $"the agent to move {saved} to {delivered}");
        return delivered;
    }

    /// <summary>Generates through the runtime's WebUI and returns where the image was saved.</summary>
    public static async Task<string> GenerateAsync(HttpClient webUI, int steps = 2)
    {
        using var response = await webUI.PostAsJsonAsync("sdapi/v1/txt2img", new { prompt = "a lighthouse at dusk", seed = 7, steps });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var info = JsonDocument.Parse(body.GetProperty("info").GetString()!).RootElement;
        return info.GetProperty("saved_paths")[0].GetString()!;
    }

    public static HttpClient WebUI(GameServerAllocationStatus status) =>
        new() { BaseAddress = RuntimeAddress.WebUI(status), Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>Gives a runtime back (Agones replaces it) so the pool stays small.</summary>
    public Task ReleaseAsync(GameServerAllocationStatus status) =>
        Host.Agones.DeleteGameServerAsync(status.GameServerName!, CancellationToken.None);
}
