using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SdAgones.LocalAgones.Fleets;
using SdAgones.LocalAgones.Pods;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;
using SdAgones.Tests.LocalAgones;

namespace SdAgones.Tests.Contracts;

/// <summary>
/// What the platform relies on from Agones' SDK sidecar and the Kubernetes API server, each stated with the real
/// source it comes from, checked against LocalAgones (issue 23). If LocalAgones stopped behaving like the real
/// services, these fail before the platform's own tests can pass for the wrong reason.
/// Not reproduced: an allocation answered <c>Contention</c> (LocalAgones allocates under one lock and never contends).
/// </summary>
public sealed class AgonesContractTests(LocalAgonesFixture fixture) : IClassFixture<LocalAgonesFixture>
{
    private LocalAgonesHost Host => fixture.Host;

    private HttpClient Sdk(string runtime)
    {
        var pod = Host.Services.GetRequiredService<RuntimeSupervisor>().Find(runtime) ?? throw new InvalidOperationException($"no pod {runtime}");
        return new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{pod.SdkPort}/") };
    }

    private async Task<string> SdkStateAsync(HttpClient sdk) =>
        (await sdk.GetFromJsonAsync<JsonElement>("gameserver")).GetProperty("status").GetProperty("state").GetString()!;

    private async Task<GameServerAllocationStatus> AllocateOneAsync(string person) =>
        await Host.Agones.AllocateAsync(new GameServerAllocationSpec
        {
            Selectors = [new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = "sd-agones-fleet" } }],
            Metadata = new AllocationMetadata { Labels = new() { [AgonesApi.UserLabel] = person } },
        }, CancellationToken.None);

    /// <summary>
    /// Agones v1.56.0 pkg/sdkserver/sdkserver.go: <c>Ready</c> only calls <c>enqueueState(RequestReady)</c>; the work
    /// queue (pkg/util/workerqueue, <c>ConstantRateLimiter</c>, <c>request-rate-limit</c> 500 ms in
    /// cmd/sdk-server/main.go) runs <c>updateState</c> later, which writes the state without checking the current
    /// one (it skips only Unhealthy and deleted GameServers): an Allocated GameServer goes back to RequestReady.
    /// </summary>
    [Fact]
    public async Task SDK_ready_is_applied_about_500_ms_later_and_unconditionally_even_over_an_allocation()
    {
        await Host.WaitForReadyAsync(1);
        var allocated = await AllocateOneAsync("contract-ready");
        Assert.Equal(AllocationState.Allocated, allocated.State);
        using var sdk = Sdk(allocated.GameServerName!);

        var clock = Stopwatch.StartNew();
        using var ready = await sdk.PostAsJsonAsync("ready", new { });
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Allocated", await SdkStateAsync(sdk)); // answered at once, applied later

        await Eventually.HoldsAsync(async () => await SdkStateAsync(sdk) is "RequestReady" or "Ready", TimeSpan.FromSeconds(10),
            "the queued Ready to be written over Allocated", every: TimeSpan.FromMilliseconds(20));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(10));
    }

    /// <summary>Same file: <c>SetLabel</c> records the value and enqueues <c>updateLabels</c>, written later with the <c>agones.dev/sdk-</c> prefix.</summary>
    [Fact]
    public async Task SDK_label_writes_are_delayed_and_prefixed()
    {
        await Host.WaitForReadyAsync(1);
        var name = (await Host.ListAsync()).First(s => s.State == GameServerState.Ready).Name;
        using var sdk = Sdk(name);

        using var put = await sdk.PutAsJsonAsync("metadata/label", new { key = "colour", value = "amber" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.False((await Host.Agones.GetGameServerAsync(name, CancellationToken.None))!.Metadata.Labels.ContainsKey("agones.dev/sdk-colour"));

        await Eventually.HoldsAsync(async () =>
                (await Host.Agones.GetGameServerAsync(name, CancellationToken.None))!.Metadata.Labels.TryGetValue("agones.dev/sdk-colour", out var v) && v == "amber",
            TimeSpan.FromSeconds(10), "the label to be written");
    }

    /// <summary>Same file, <c>WatchGameServer</c>: the stream's first message is the current GameServer (<c>stream.Send(gs)</c> before any change).</summary>
    [Fact]
    public async Task SDK_watch_starts_with_the_current_GameServer()
    {
        await Host.WaitForReadyAsync(1);
        var server = (await Host.ListAsync()).First(s => s.State == GameServerState.Ready);
        using var sdk = Sdk(server.Name);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        using var response = await sdk.GetAsync("watch/gameserver", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var first = JsonDocument.Parse(await reader.ReadLineAsync(cts.Token) ?? "{}").RootElement.GetProperty("result");

        Assert.Equal(server.Name, first.GetProperty("object_meta").GetProperty("name").GetString());
        Assert.Equal("Ready", first.GetProperty("status").GetProperty("state").GetString());
    }

    /// <summary>
    /// kubernetes staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go <c>Watch</c>: a resource version older than
    /// the history kept fails "with a watch event of type ERROR" (<c>newErrWatcher</c>) carrying a Status 410 Expired,
    /// inside a 200 stream that then ends. Our client turns it into <see cref="WatchExpiredException"/> (re-list).
    /// </summary>
    [Fact]
    public async Task API_watch_from_an_expired_version_is_an_ERROR_event_with_Status_410_in_a_200_stream()
    {
        await Host.WaitForReadyAsync(1);
        var registry = Host.Services.GetRequiredService<GameServerRegistry>();
        var name = (await Host.ListAsync()).First().Name;
        var old = registry.Version;
        for (var i = 0; i < 4200; i++)
        {
            registry.Update(name, s => s.Metadata.Annotations!["contract/step"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // Control: a recent version is watched normally.
        using var http = new HttpClient { BaseAddress = Host.Url };
        using var recent = await http.GetAsync($"/apis/agones.dev/v1/namespaces/default/gameservers?watch=true&resourceVersion={registry.Version}&timeoutSeconds=1");
        Assert.Equal(HttpStatusCode.OK, recent.StatusCode);
        Assert.DoesNotContain("\"ERROR\"", await recent.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var expired = await http.GetAsync($"/apis/agones.dev/v1/namespaces/default/gameservers?watch=true&resourceVersion={old}");
        Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        var lines = (await expired.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var only = Assert.Single(lines);
        var e = JsonDocument.Parse(only).RootElement;
        Assert.Equal("ERROR", e.GetProperty("type").GetString());
        Assert.Equal("Status", e.GetProperty("object").GetProperty("kind").GetString());
        Assert.Equal(410, e.GetProperty("object").GetProperty("code").GetInt32());
        Assert.Equal("Expired", e.GetProperty("object").GetProperty("reason").GetString());

        await Assert.ThrowsAsync<WatchExpiredException>(async () =>
        {
            await foreach (var _ in Host.Agones.WatchGameServersAsync(old.ToString(System.Globalization.CultureInfo.InvariantCulture), null, CancellationToken.None))
            {
            }
        });
    }

    /// <summary>
    /// Agones pkg/gameserverallocations (allocator.go): the answer is 201 with <c>status.state</c> Allocated (with the
    /// GameServer's name, address and ports) or UnAllocated when nothing matches; selectors are tried in order.
    /// </summary>
    [Fact]
    public async Task Allocation_answers_Allocated_with_an_address_or_UnAllocated_when_nothing_matches()
    {
        await Host.WaitForReadyAsync(1);
        var none = await Host.Agones.AllocateAsync(new GameServerAllocationSpec
        {
            Selectors = [new GameServerSelector { MatchLabels = new() { ["no-such-label"] = "x" } }],
        }, CancellationToken.None);
        Assert.Equal(AllocationState.UnAllocated, none.State);
        Assert.Null(none.GameServerName);

        var some = await AllocateOneAsync("contract-allocation");
        Assert.Equal(AllocationState.Allocated, some.State);
        Assert.NotNull(RuntimeAddress.WebUI(some));
        Assert.Equal(GameServerState.Allocated, (await Host.Agones.GetGameServerAsync(some.GameServerName!, CancellationToken.None))?.State);
    }
}
