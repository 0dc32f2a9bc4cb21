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
    public async Task A_gateway_killed_mid_allocation_leaks_no_runtime_and_the_person_gets_that_runtime_back()
    {
        await using var world = await FaultWorld.StartAsync(buffer: 4, max: 6);
        await world.Agones.WaitForReadyAsync(4);
        // The cruiser talks to Agones directly. A dead gateway's allocation lock lasts Allocation:LockTtl and its people's
        // places in line Reconcile:QueueEntryTtl; the orphan grace outlasts both, so a person who comes back in time
        // finds their runtime still there (as with the defaults: 60 s grace, 30 s lock).
        var lockTtl = TimeSpan.FromSeconds(5);
        await world.StartCruiserAsync(("Reconcile:OrphanGrace", "00:00:40"), ("Reconcile:QueueEntryTtl", "00:00:10"),
            ("Agones:ApiServer", world.Agones.Url.ToString()));
        var gateway = await world.StartGatewayAsync(("Allocation:LockTtl", lockTtl.ToString()));
        // Where the person comes back: a second gateway, already up, that reaches Agones directly.
        var second = await world.StartGatewayAsync(("Allocation:LockTtl", lockTtl.ToString()), ("Agones:ApiServer", world.Agones.Url.ToString()));
        using var cache = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(world.CacheEndpoint);
        var store = new SdAgones.Runtimes.Sessions.SessionStore(cache, TimeProvider.System);

        // Agones answers the gateway slowly, so an allocation is done in Agones well before the gateway records it.
        world.AgonesLink.AnswerDelay = TimeSpan.FromSeconds(3);
        using var client = new HttpClient { BaseAddress = gateway.Url, Timeout = TimeSpan.FromSeconds(30) };
        var requests = Enumerable.Range(0, 8).Select(i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/sdapi/v1/cmd-flags");
            request.Headers.Add("X-SdAgones-Dev-User", $"person-{i}");
            return client.SendAsync(request);
        }).ToList();
        var orphan = await Eventually.ReturnsAsync(async () =>
        {
            foreach (var server in await world.AllocatedAsync())
            {
                if (server.AllocatedUser is { } user && await store.GetAsync(user) is null)
                {
                    return server;
                }
            }

            return null;
        }, TimeSpan.FromSeconds(30), "a runtime allocated in Agones whose session the gateway has not recorded yet", TimeSpan.FromMilliseconds(20));
        await gateway.DisposeAsync();
        await Task.WhenAll(requests.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        world.AgonesLink.AnswerDelay = TimeSpan.Zero;

        // At the kill: that runtime is allocated to its person, and no session points at it.
        var person = orphan.AllocatedUser!;
        Assert.Equal(GameServerState.Allocated, (await world.Agones.ListAsync()).Single(s => s.Name == orphan.Name).State);
        Assert.Null(await store.GetAsync(person));

        // The person comes back through the other gateway and gets that same runtime, not a second one.
        using var returning = FaultWorld.Client(second, person);
        Assert.Equal(orphan.Name, await RuntimeProbe.WaitForRuntimeAsync(returning, $"{person}'s runtime after the kill"));
        Assert.Equal(orphan.Name, (await store.GetAsync(person))?.Runtime);

        // Every other allocated runtime ends up either bound to its person's session or given back by the cruiser.
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
        }, TimeSpan.FromSeconds(90), "no allocated runtime without a session");
        var allocated = await world.AllocatedAsync();
        Assert.Equal(allocated.Count, allocated.Select(s => s.AllocatedUser).Distinct().Count());
        Assert.Single(allocated, s => s.AllocatedUser == person);
    }
}
