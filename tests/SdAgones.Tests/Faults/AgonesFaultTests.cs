using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Faults;

/// <summary>The Kubernetes API (Agones) is unreachable, or a gateway dies mid-allocation: clear errors, no leaked GPU.</summary>
[Trait("Category", "Faults")]
public sealed class AgonesFaultTests
{
    [Fact]
    public async Task While_Agones_is_unreachable_a_newcomer_is_told_and_gets_exactly_one_runtime_afterwards()
    {
        await using var world = await FaultWorld.StartAsync();
        var gateway = await world.StartGatewayAsync();
        using var alice = FaultWorld.Client(gateway, "alice");
        var runtime = await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");

        world.AgonesLink.Cut();

        Assert.Equal(runtime, await RuntimeProbe.RuntimeThatAnsweredAsync(await alice.GetAsync("/sdapi/v1/cmd-flags")));
        using var bob = FaultWorld.Client(gateway, "bob");
        var refused = await bob.GetAsync("/sdapi/v1/cmd-flags");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("Agones", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => bob.GetAsync("/sdapi/v1/cmd-flags"))); // he keeps retrying

        world.AgonesLink.Restore();

        await RuntimeProbe.WaitForRuntimeAsync(bob, "bob's runtime once Agones answers again");
        Assert.Single(await world.AllocatedAsync(), s => s.AllocatedUser == "bob");
    }

    [Fact]
    public async Task A_gateway_killed_mid_allocation_leaks_no_runtime()
    {
        await using var world = await FaultWorld.StartAsync(buffer: 4, max: 6);
        await world.Agones.WaitForReadyAsync(4);
        await world.StartCruiserAsync(("Reconcile:OrphanGrace", "00:00:02"));
        var gateway = await world.StartGatewayAsync();

        // Eight newcomers at once, and the gateway is killed while their allocations are under way.
        using var client = new HttpClient { BaseAddress = gateway.Url, Timeout = TimeSpan.FromSeconds(10) };
        var requests = Enumerable.Range(0, 8).Select(i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/sdapi/v1/cmd-flags");
            request.Headers.Add("X-SdAgones-Dev-User", $"person-{i}");
            return client.SendAsync(request);
        }).ToList();
        await Eventually.HoldsAsync(async () => (await world.AllocatedAsync()).Count > 0, TimeSpan.FromSeconds(30), "the first allocation");
        await gateway.DisposeAsync();
        await Task.WhenAll(requests.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));

        // Every allocated runtime ends up either bound to its person's session or given back.
        using var cache = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(world.CacheEndpoint);
        var store = new SdAgones.Runtimes.Sessions.SessionStore(cache, TimeProvider.System);
        await Eventually.HoldsAsync(async () =>
        {
            foreach (var server in await world.AllocatedAsync())
            {
                if (server.AllocatedUser is not { } user || (await store.GetAsync(user))?.Runtime != server.Name)
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(60), "no allocated runtime without a session");
        var allocated = await world.AllocatedAsync();
        Assert.Equal(allocated.Count, allocated.Select(s => s.AllocatedUser).Distinct().Count());
    }
}
