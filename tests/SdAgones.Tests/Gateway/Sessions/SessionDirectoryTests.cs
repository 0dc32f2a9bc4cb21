using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway.Sessions;

/// <summary>The gateway's hot-path view of sessions, on fake time against real Garnet and LocalAgones.</summary>
public sealed class SessionDirectoryTests : IAsyncLifetime
{
    private readonly GatewayWorld world = new(buffer: 2, max: 4);

    public Task InitializeAsync() => world.StartAsync();

    public Task DisposeAsync() => world.DisposeAsync().AsTask();

    private async Task<RuntimeSession> BindAsync(string user)
    {
        await world.Gateway.SeesReadyAsync(1);
        var outcome = await world.Gateway.Allocator.EnsureAsync(user);
        Assert.Equal(WaitStage.Ready, outcome.Stage);
        return outcome.Session!;
    }

    [Fact]
    public async Task A_session_is_forgotten_when_its_GameServer_is_deleted_without_waiting_for_a_request_or_the_cruiser()
    {
        var ann = await BindAsync("ann@example.com");
        var bob = await BindAsync("bob@example.com");
        Assert.Equal(ann.Runtime, (await world.OtherGateway.Directory.FindAsync("ann@example.com"))?.Runtime);

        await world.Agones.Agones.DeleteGameServerAsync(ann.Runtime, CancellationToken.None); // e.g. its node went away

        await Eventually.HoldsAsync(async () => await world.Store.GetAsync("ann@example.com") is null, TimeSpan.FromSeconds(30),
            "the gateway to release the session of the deleted runtime");
        Assert.Null(await world.Gateway.Directory.FindAsync("ann@example.com"));
        Assert.Null(await world.OtherGateway.Directory.FindAsync("ann@example.com"));
        Assert.Equal("Your runtime stopped unexpectedly; your next request starts a new one.", await world.Gateway.Get<NoticeBoard>().PeekAsync("ann@example.com"));
        var events = await world.Get<SessionEventLog>().ReadAsync(null, null);
        Assert.Contains(events, e => e is { Person: "ann@example.com", State: "released", Reason: "runtime_gone" } && e.Runtime == ann.Runtime);

        // Control: Bob's runtime was not touched, and his session stays.
        Assert.Equal(bob.Runtime, (await world.Gateway.Directory.FindAsync("bob@example.com"))?.Runtime);
        Assert.Equal(bob.Runtime, (await world.Store.GetAsync("bob@example.com"))?.Runtime);
    }

    [Fact]
    public async Task A_session_bound_before_the_informer_sees_the_allocation_keeps_its_runtime()
    {
        await world.Gateway.SeesReadyAsync(2);
        await world.Gateway.Watcher.StopAsync(CancellationToken.None); // the informer falls behind: its copy stays as it is now
        var ann = await BindAsync("ann@example.com");
        var bob = await BindAsync("bob@example.com");
        Assert.Equal(GameServerState.Ready, world.Gateway.Watcher.Find(ann.Runtime)?.State);

        // Ann's next request: the informer still says Ready, Agones says Allocated to her.
        Assert.Equal(ann.Runtime, (await world.Gateway.Directory.FindAsync("ann@example.com"))?.Runtime);
        Assert.Equal(ann.Runtime, (await world.Store.GetAsync("ann@example.com"))?.Runtime);
        Assert.Equal(GameServerState.Allocated, await world.StateOfAsync(ann.Runtime));

        // Control: Bob's runtime is deleted (the informer has not seen that either); Agones confirms, so his session goes.
        await world.Agones.Agones.DeleteGameServerAsync(bob.Runtime, CancellationToken.None);
        Assert.Null(await world.Gateway.Directory.FindAsync("bob@example.com"));
        Assert.Null(await world.Store.GetAsync("bob@example.com"));
        Assert.Equal(ann.Runtime, (await world.Gateway.Directory.FindAsync("ann@example.com"))?.Runtime);
    }

    [Fact]
    public async Task Activity_is_recorded_at_most_once_per_touch_interval_per_instance()
    {
        await BindAsync("ann@example.com");
        await BindAsync("bob@example.com");
        var touchInterval = world.Gateway.Get<Microsoft.Extensions.Options.IOptions<IdleOptions>>().Value.TouchInterval;

        world.Time.Advance(TimeSpan.FromMinutes(1));
        var first = world.Time.GetUtcNow();
        world.Gateway.Directory.Touch("ann@example.com");
        await Eventually.HoldsAsync(async () => await world.Store.LastSeenAsync("ann@example.com") == first, TimeSpan.FromSeconds(10), "Ann's first touch");

        world.Time.Advance(touchInterval - TimeSpan.FromSeconds(1));
        world.Gateway.Directory.Touch("ann@example.com"); // within the interval: not written
        var barrier = world.Time.GetUtcNow();
        world.Gateway.Directory.Touch("bob@example.com"); // written after Ann's would have been, on the same connection
        await Eventually.HoldsAsync(async () => await world.Store.LastSeenAsync("bob@example.com") == barrier, TimeSpan.FromSeconds(10), "Bob's touch");
        Assert.Equal(first, await world.Store.LastSeenAsync("ann@example.com"));

        world.Time.Advance(TimeSpan.FromSeconds(2));
        var later = world.Time.GetUtcNow();
        world.Gateway.Directory.Touch("ann@example.com"); // past the interval: written
        await Eventually.HoldsAsync(async () => await world.Store.LastSeenAsync("ann@example.com") == later, TimeSpan.FromSeconds(10), "Ann's touch after the interval");
    }
}
