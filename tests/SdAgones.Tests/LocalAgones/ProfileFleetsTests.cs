using System.Net.Http.Json;
using System.Text.Json;
using k8s;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.LocalAgones;

/// <summary>
/// LocalAgones with two profiles (issue 18): <c>t4</c> (the default, <c>--medvram --xformers</c>, Buffer 1) and <c>l4</c>
/// (24 GiB, spot, an allow-list, Buffer 2, at most 2). Runtimes are hosted in-process to spare the machine.
/// </summary>
public sealed class ProfileFleetsFixture : IAsyncLifetime
{
    public const string T4Fleet = "sd-agones-fleet-t4";
    public const string L4Fleet = "sd-agones-fleet-l4";

    public LocalAgonesHost Host { get; private set; } = null!;

    public string Config { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await LocalAgonesHost.StartAsync(buffer: 5, max: 9,
            "--Fleet:RuntimeHosting", "InProcess",
            "--Profiles:0:Slug", "t4",
            "--Profiles:0:GpuType", "nvidia-tesla-t4",
            "--Profiles:0:WebUIFlags=--medvram --xformers",
            "--Profiles:0:Buffer", "1",
            "--Profiles:0:MinReplicas", "0",
            "--Profiles:0:MaxReplicas", "3",
            "--Profiles:0:Default", "true",
            "--Profiles:1:Slug", "l4",
            "--Profiles:1:GpuType", "nvidia-l4",
            "--Profiles:1:MachineType", "g2-standard-8",
            "--Profiles:1:Spot", "true",
            "--Profiles:1:Buffer", "2",
            "--Profiles:1:MinReplicas", "0",
            "--Profiles:1:MaxReplicas", "2",
            "--Profiles:1:AllowedUsers:0", "lena@example.com");
        Config = await Host.WriteKubeconfigAsync();
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>Each profile is its own Fleet: own autoscaler, own GameServers, own WebUI flags and GPU memory.</summary>
public sealed class ProfileFleetsTests(ProfileFleetsFixture fixture) : IClassFixture<ProfileFleetsFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private LocalAgonesHost Host => fixture.Host;

    [Fact]
    public async Task Kubectl_lists_one_Fleet_and_one_Buffer_FleetAutoscaler_per_profile_each_scaling_its_own_GameServers()
    {
        await ReadyInAsync(ProfileFleetsFixture.T4Fleet, 1);
        await ReadyInAsync(ProfileFleetsFixture.L4Fleet, 2);

        var (code, output, errors) = await KubectlAsync("get", "fleets", "-o", "jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.sdagones\\.io/profile};{end}");
        Assert.True(code == 0, errors);
        Assert.Equal($"{ProfileFleetsFixture.T4Fleet}=t4;{ProfileFleetsFixture.L4Fleet}=l4;", output.Trim());

        (code, output, errors) = await KubectlAsync("get", "fleetautoscalers", "-o",
            "jsonpath={range .items[*]}{.spec.fleetName}:{.spec.policy.type}:{.spec.policy.buffer.bufferSize}/{.spec.policy.buffer.minReplicas}/{.spec.policy.buffer.maxReplicas};{end}");
        Assert.True(code == 0, errors);
        Assert.Equal($"{ProfileFleetsFixture.T4Fleet}:Buffer:1/0/3;{ProfileFleetsFixture.L4Fleet}:Buffer:2/0/2;", output.Trim());

        // Every GameServer carries its Fleet's label and its profile's, and nothing else is in a Fleet.
        var servers = (await Host.ListAsync()).Where(s => !IsLeaving(s)).ToList();
        Assert.All(servers, s => Assert.Equal(
            s.Metadata.Labels![AgonesApi.FleetLabel] == ProfileFleetsFixture.T4Fleet ? "t4" : s.Metadata.Labels[AgonesApi.FleetLabel] == ProfileFleetsFixture.L4Fleet ? "l4" : "none",
            s.Metadata.Labels[AgonesApi.ProfileLabel]));
    }

    [Fact]
    public async Task An_allocation_pinned_to_one_Fleet_never_takes_another_Fleets_GameServer_and_only_that_Fleet_grows()
    {
        await ReadyInAsync(ProfileFleetsFixture.T4Fleet, 1);
        await ReadyInAsync(ProfileFleetsFixture.L4Fleet, 2);

        // l4 at its maximum of 2: both allocations land in l4...
        var first = await AllocateAsync(ProfileFleetsFixture.L4Fleet, "lena@example.com");
        var second = await AllocateAsync(ProfileFleetsFixture.L4Fleet, "lena2@example.com");
        Assert.Equal(AllocationState.Allocated, first.State);
        Assert.Equal(AllocationState.Allocated, second.State);
        Assert.Equal(ProfileFleetsFixture.L4Fleet, first.Metadata!.Labels![AgonesApi.FleetLabel]);
        Assert.Equal(ProfileFleetsFixture.L4Fleet, second.Metadata!.Labels![AgonesApi.FleetLabel]);
        Assert.Equal("l4", second.Metadata.Labels[AgonesApi.ProfileLabel]);

        // ...and a third finds none, although a t4 GameServer is Ready: it is not handed out instead.
        var readyT4 = (await Host.ListAsync($"{AgonesApi.FleetLabel}={ProfileFleetsFixture.T4Fleet}")).Count(s => s.State == GameServerState.Ready);
        Assert.True(readyT4 >= 1, "a t4 GameServer is Ready while l4 is full");
        var third = await AllocateAsync(ProfileFleetsFixture.L4Fleet, "lena3@example.com");
        Assert.Equal(AllocationState.UnAllocated, third.State);

        // Positive control: the same request pinned to t4 is served from t4.
        var t4 = await AllocateAsync(ProfileFleetsFixture.T4Fleet, "tom@example.com");
        Assert.Equal(AllocationState.Allocated, t4.State);
        Assert.Equal(ProfileFleetsFixture.T4Fleet, t4.Metadata!.Labels![AgonesApi.FleetLabel]);
        Assert.Equal("t4", t4.Metadata.Labels[AgonesApi.ProfileLabel]);

        // Each autoscaler counts only its own Fleet: once t4 has a Ready GameServer again beside the allocated one, it
        // wants 1 allocated + Buffer 1 (not the 3 allocated across both Fleets + 1), and l4 stays at its maximum.
        await Eventually.HoldsAsync(async () =>
        {
            var t4Servers = await Host.ListAsync($"{AgonesApi.FleetLabel}={ProfileFleetsFixture.T4Fleet}");
            return t4Servers.Count(s => s.State == GameServerState.Ready) >= 1 && t4Servers.Count(s => s.State == GameServerState.Allocated) == 1;
        }, Patience, "t4 to have a Ready GameServer beside the allocated one");
        Assert.Equal(2, (await FleetAsync(ProfileFleetsFixture.T4Fleet)).Spec.Replicas);
        Assert.Equal(2, (await FleetAsync(ProfileFleetsFixture.L4Fleet)).Spec.Replicas);
    }

    [Fact]
    public async Task Each_runtime_reports_its_own_profiles_flags_and_GPU_memory_and_no_t4_flag_reaches_an_l4_runtime()
    {
        await ReadyInAsync(ProfileFleetsFixture.T4Fleet, 1);
        await ReadyInAsync(ProfileFleetsFixture.L4Fleet, 1);
        var t4 = (await Host.ListAsync($"{AgonesApi.FleetLabel}={ProfileFleetsFixture.T4Fleet}")).First(s => s.State is GameServerState.Ready or GameServerState.Allocated);
        var l4 = (await Host.ListAsync($"{AgonesApi.FleetLabel}={ProfileFleetsFixture.L4Fleet}")).First(s => s.State is GameServerState.Ready or GameServerState.Allocated);

        using var http = new HttpClient();
        var t4Flags = await http.GetFromJsonAsync<JsonElement>(new Uri(RuntimeAddress.WebUI(t4)!, "/sdapi/v1/cmd-flags"));
        var l4Flags = await http.GetFromJsonAsync<JsonElement>(new Uri(RuntimeAddress.WebUI(l4)!, "/sdapi/v1/cmd-flags"));
        Assert.True(t4Flags.GetProperty("medvram").GetBoolean(), "the t4 runtime runs with --medvram");
        Assert.True(t4Flags.GetProperty("xformers").GetBoolean(), "the t4 runtime runs with --xformers");
        Assert.False(l4Flags.GetProperty("medvram").GetBoolean(), "the l4 runtime runs without t4's --medvram");
        Assert.False(l4Flags.GetProperty("xformers").GetBoolean(), "the l4 runtime runs without t4's --xformers");
        Assert.True(l4Flags.GetProperty("api").GetBoolean(), "the platform's own flags are there for l4 too");

        const long GiB = 1024L * 1024 * 1024;
        var t4Memory = await http.GetFromJsonAsync<JsonElement>(new Uri(RuntimeAddress.WebUI(t4)!, "/sdapi/v1/memory"));
        var l4Memory = await http.GetFromJsonAsync<JsonElement>(new Uri(RuntimeAddress.WebUI(l4)!, "/sdapi/v1/memory"));
        Assert.Equal(16 * GiB, t4Memory.GetProperty("cuda").GetProperty("system").GetProperty("total").GetInt64());
        Assert.Equal(24 * GiB, l4Memory.GetProperty("cuda").GetProperty("system").GetProperty("total").GetInt64());

        var l4Profile = await http.GetFromJsonAsync<JsonElement>(new Uri(RuntimeAddress.WebUI(l4)!, "/_standin/profile"));
        Assert.Equal("l4", l4Profile.GetProperty("profile").GetString());
        Assert.Equal("nvidia-l4", l4Profile.GetProperty("gpu_type").GetString());
        Assert.Equal(1, l4Profile.GetProperty("gpu_count").GetInt32());
        Assert.Equal("t4", t4.Metadata.Labels![AgonesApi.ProfileLabel]);
        Assert.Equal("l4", l4.Metadata.Labels![AgonesApi.ProfileLabel]);
    }

    private Task ReadyInAsync(string fleet, int count) =>
        Eventually.HoldsAsync(async () => (await Host.ListAsync($"{AgonesApi.FleetLabel}={fleet}")).Count(s => s.State is GameServerState.Ready or GameServerState.Allocated) >= count,
            Patience, $"{count} Ready or Allocated GameServers in {fleet}");

    private Task<GameServerAllocationStatus> AllocateAsync(string fleet, string user) =>
        Host.Agones.AllocateAsync(new GameServerAllocationSpec
        {
            Selectors = [new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = fleet } }],
            Metadata = new AllocationMetadata
            {
                Labels = new() { [AgonesApi.UserLabel] = PersonLabel.For(user) },
                Annotations = new() { [AgonesApi.UserAnnotation] = user },
            },
        }, CancellationToken.None);

    private Task<Fleet> FleetAsync(string name) =>
        Host.Kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<Fleet>(AgonesApi.Group, AgonesApi.Version, "default", AgonesApi.Fleets, name);

    private static bool IsLeaving(GameServer server) => server.State is { } state && GameServerLifecycle.IsTerminal(state);

    private Task<(int Code, string Output, string Errors)> KubectlAsync(params string[] args) => Kubectl.RunAsync(fixture.Config, args);
}
