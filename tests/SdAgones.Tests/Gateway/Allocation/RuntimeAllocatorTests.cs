using SdAgones.Cruiser.Reconciliation;
using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Tests.Gateway.Allocation;

/// <summary>How the gateway gives a person exactly one runtime, on fake time against real Garnet and LocalAgones.</summary>
public sealed class RuntimeAllocatorTests : IAsyncLifetime
{
    private readonly GatewayWorld world = new(buffer: 2, max: 4);

    public Task InitializeAsync() => world.StartAsync();

    public Task DisposeAsync() => world.DisposeAsync().AsTask();

    [Fact]
    public async Task Concurrent_requests_on_two_gateway_instances_bind_one_runtime_to_the_person()
    {
        await world.Gateway.SeesReadyAsync(2);
        await world.OtherGateway.SeesReadyAsync(2);

        var calls = Enumerable.Range(0, 20)
            .Select(i => (i % 2 == 0 ? world.Gateway : world.OtherGateway).Allocator.EnsureAsync("ann@example.com"))
            .ToList();
        var outcomes = await world.WhileClockRunsAsync(Task.WhenAll(calls), TimeSpan.FromMilliseconds(50));

        Assert.All(outcomes, o => Assert.Equal(WaitStage.Ready, o.Stage));
        var runtime = Assert.Single(outcomes.Select(o => o.Session!.Runtime).Distinct());
        Assert.Equal([runtime], await world.RuntimesOfAsync("ann@example.com"));
        Assert.Equal(runtime, (await world.Store.GetAsync("ann@example.com"))?.Runtime);

        // Control: another person asking at the same time gets a runtime of their own.
        var bob = await world.OtherGateway.Allocator.EnsureAsync("bob@example.com");
        Assert.Equal(WaitStage.Ready, bob.Stage);
        Assert.NotEqual(runtime, bob.Session!.Runtime);
    }

    [Fact]
    public async Task A_second_request_returns_the_same_runtime_on_either_instance_and_after_the_memory_expires()
    {
        await world.Gateway.SeesReadyAsync(2);
        var first = await world.Gateway.Allocator.EnsureAsync("cleo@example.com");
        Assert.Equal(WaitStage.Ready, first.Stage);

        var again = await world.Gateway.Allocator.EnsureAsync("cleo@example.com");
        var elsewhere = await world.OtherGateway.Allocator.EnsureAsync("cleo@example.com");
        world.Time.Advance(TimeSpan.FromMinutes(1)); // past the directory's in-memory copy
        var later = await world.Gateway.Allocator.EnsureAsync("cleo@example.com");

        Assert.Equal(first.Session!.Runtime, again.Session?.Runtime);
        Assert.Equal(first.Session.Runtime, elsewhere.Session?.Runtime);
        Assert.Equal(first.Session.Runtime, later.Session?.Runtime);
        Assert.Equal([first.Session.Runtime], await world.RuntimesOfAsync("cleo@example.com"));
    }

    [Fact]
    public async Task A_request_waits_for_a_peer_instance_allocating_for_the_same_person_and_gets_its_runtime()
    {
        await world.Gateway.SeesReadyAsync(2);
        var lifecycle = world.OtherGateway.Get<SessionLifecycle>();
        Assert.True(await lifecycle.BeginAllocationAsync("dora@example.com", "peer", TimeSpan.FromMinutes(5)));

        var waiting = world.Gateway.Allocator.EnsureAsync("dora@example.com");
        await Infrastructure.Eventually.HoldsAsync(async () => await world.Line.RankAsync("dora@example.com") is not null,
            TimeSpan.FromSeconds(10), "the request to join the line and meet the peer's lock");
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(50); // no signal says the request reached its wait; let it, then move the clock
            world.Time.Advance(GatewayWorld.WaitForPeer / 10);
        }

        Assert.False(waiting.IsCompleted);

        // The peer finishes: binds the runtime Agones gave it and lets go of the lock.
        var status = await world.AllocateUnboundAsync("dora@example.com");
        var session = new RuntimeSession("dora@example.com", status.GameServerName!, RuntimeAddress.WebUI(status)!, world.Time.GetUtcNow(), status.NodeName);
        await lifecycle.BindRuntimeAsync(session);
        await lifecycle.EndAllocationAsync("dora@example.com", "peer");

        var outcome = await world.WhileClockRunsAsync(waiting, TimeSpan.FromMilliseconds(50));
        Assert.Equal(WaitStage.Ready, outcome.Stage);
        Assert.Equal(session.Runtime, outcome.Session?.Runtime);
        Assert.Equal([session.Runtime], await world.RuntimesOfAsync("dora@example.com"));
    }

    [Fact]
    public async Task A_peer_that_holds_the_lock_and_never_finishes_is_waited_for_only_until_the_wait_ends()
    {
        await world.Gateway.SeesReadyAsync(2);
        Assert.True(await world.OtherGateway.Get<SessionLifecycle>().BeginAllocationAsync("eve@example.com", "dead-peer", TimeSpan.FromMinutes(5)));
        var started = world.Time.GetUtcNow();

        var outcome = await world.WhileClockRunsAsync(world.Gateway.Allocator.EnsureAsync("eve@example.com"), TimeSpan.FromMilliseconds(50));

        Assert.Equal(WaitStage.Allocating, outcome.Stage);
        Assert.True(world.Time.GetUtcNow() - started >= GatewayWorld.WaitForPeer, $"answered after {world.Time.GetUtcNow() - started} of fake time");
        Assert.Empty(await world.RuntimesOfAsync("eve@example.com"));

        // Once the lock is gone, the next request allocates.
        await world.Store.UnlockAsync("eve@example.com", "dead-peer");
        var next = await world.Gateway.Allocator.EnsureAsync("eve@example.com");
        Assert.Equal(WaitStage.Ready, next.Stage);
        Assert.Equal([next.Session!.Runtime], await world.RuntimesOfAsync("eve@example.com"));
    }

    [Fact]
    public async Task The_allocation_lock_expires_after_its_lifetime_so_a_dead_holder_does_not_block_the_person()
    {
        await world.Gateway.SeesReadyAsync(2);
        Assert.True(await world.OtherGateway.Get<SessionLifecycle>().BeginAllocationAsync("finn@example.com", "dead-peer", TimeSpan.FromSeconds(3)));
        Assert.True(await world.Store.IsLockedAsync("finn@example.com")); // (a 300 ms lifetime had run out before this read at load ≈ 80)

        await Infrastructure.Eventually.HoldsAsync(async () => !await world.Store.IsLockedAsync("finn@example.com"),
            TimeSpan.FromSeconds(20), "the allocation lock to expire in the cache");
        var outcome = await world.Gateway.Allocator.EnsureAsync("finn@example.com");

        Assert.Equal(WaitStage.Ready, outcome.Stage);
        Assert.Equal([outcome.Session!.Runtime], await world.RuntimesOfAsync("finn@example.com"));
    }

    [Fact]
    public async Task A_person_whose_gateway_died_mid_allocation_gets_that_runtime_back_and_an_unclaimed_one_is_shut_down_after_the_grace()
    {
        await world.Get<LeaseStore>().MarkEpochAsync("healthy-cache");
        var returning = await world.AllocateUnboundAsync("gia@example.com"); // Agones allocated, the gateway died before binding
        var forgotten = await world.AllocateUnboundAsync("hal@example.com");
        await world.Gateway.SeesReadyAsync(1);
        Assert.Equal(GameServerState.Allocated, await world.StateOfAsync(returning.GameServerName!)); // still running, unbound

        var outcome = await world.Gateway.Allocator.EnsureAsync("gia@example.com");
        Assert.True(outcome.Stage == WaitStage.Ready, $"{outcome}; the gateway saw {world.Gateway.Watcher.All.Count(s => s.State == GameServerState.Ready)} Ready");
        Assert.Equal(returning.GameServerName, outcome.Session?.Runtime);
        Assert.Equal([returning.GameServerName!], await world.RuntimesOfAsync("gia@example.com"));

        var reconciler = world.Get<Reconciler>();
        world.Time.Advance(GatewayWorld.OrphanGrace - TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await reconciler.RunAsync(CancellationToken.None)).Orphans);
        Assert.Equal(GameServerState.Allocated, await world.StateOfAsync(forgotten.GameServerName!));

        world.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, (await reconciler.RunAsync(CancellationToken.None)).Orphans);
        Assert.True(await world.StateOfAsync(forgotten.GameServerName!) is null or GameServerState.Shutdown);
        Assert.Equal(GameServerState.Allocated, await world.StateOfAsync(returning.GameServerName!)); // bound, so not an orphan
    }
}
