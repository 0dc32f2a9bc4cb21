using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Faults;

/// <summary>The cache goes away or loses its data: nobody loses their runtime, nobody gets a second one.</summary>
[Trait("Category", "Faults")]
public sealed class CacheFaultTests
{
    /// <summary>The cache client's command timeout (AsyncTimeout/ConnectTimeout in <c>CacheClientExtensions.AddPlatformCache</c>).</summary>
    private static readonly TimeSpan CacheCommandTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// "Fail fast": a newcomer's answer during an outage may wait for at most two cache commands to time out (the one
    /// that finds the connection gone, and one more), never for the 30 s a client would otherwise wait.
    /// </summary>
    private static readonly TimeSpan FailFastBound = 2 * CacheCommandTimeout + TimeSpan.FromSeconds(1);

    [Fact]
    public async Task During_a_cache_outage_people_keep_their_runtime_newcomers_get_a_clear_503_and_all_recovers()
    {
        await using var world = await FaultWorld.StartAsync();
        var gateway = await world.StartGatewayAsync();
        using var alice = FaultWorld.Client(gateway, "alice");
        var runtime = await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");

        world.StopCache();

        Assert.Equal(runtime, await RuntimeProbe.RuntimeThatAnsweredAsync(await alice.GetAsync("/sdapi/v1/cmd-flags")));
        // Bob's client gives up after the fail-fast bound: an answer slower than that fails the test, as a timeout.
        using var bob = GatewayClient.For(gateway.Url, "bob", timeout: FailFastBound);
        var api = await bob.GetAsync("/sdapi/v1/cmd-flags");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), api.Headers.RetryAfter?.Delta);
        var body = await api.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("session store is unavailable", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var bobsBrowser = GatewayClient.For(gateway.Url, "bob", html: true, timeout: FailFastBound);
        var page = await bobsBrowser.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), page.Headers.RetryAfter?.Delta);
        Assert.Contains("session store is unavailable", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/healthz")).StatusCode);

        world.StartCache(); // empty: the outage also lost the data

        using var bobLater = FaultWorld.Client(gateway, "bob");
        Assert.NotEqual(runtime, await RuntimeProbe.WaitForRuntimeAsync(bobLater, "bob's runtime after the cache came back"));
        Assert.Equal(runtime, await RuntimeProbe.RuntimeThatAnsweredAsync(await alice.GetAsync("/sdapi/v1/cmd-flags")));
        Assert.Single(await world.AllocatedAsync(), s => s.AllocatedUser == "alice");
        Assert.False(gateway.HasExited);
    }

    [Fact]
    public async Task After_a_cache_flush_a_person_gets_back_the_same_runtime_and_nothing_leaks()
    {
        await using var world = await FaultWorld.StartAsync();
        var first = await world.StartGatewayAsync();
        using var alice = FaultWorld.Client(first, "alice");
        var runtime = await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");

        await world.FlushCacheAsync();

        // A second gateway instance has nothing in memory: only Agones still knows alice's runtime.
        var second = await world.StartGatewayAsync();
        using var aliceElsewhere = FaultWorld.Client(second, "alice");
        Assert.Equal(runtime, await RuntimeProbe.WaitForRuntimeAsync(aliceElsewhere, "alice's runtime through the second gateway"));
        var session = await aliceElsewhere.GetFromJsonAsync<JsonElement>("/_sd/api/session");
        Assert.Equal(runtime, session.GetProperty("runtime").GetString());
        Assert.Single(await world.AllocatedAsync(), s => s.AllocatedUser == "alice");
    }
}
