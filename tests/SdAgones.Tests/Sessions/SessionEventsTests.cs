using System.Text.Json;
using SdAgones.Cruiser.Idle;
using SdAgones.Cruiser.Reconciliation;
using SdAgones.Runtimes.Sessions;
using SdAgones.Tests.Cruiser;

namespace SdAgones.Tests.Sessions;

/// <summary>Every session transition lands in the event export, in order, with its reason (issue 15).</summary>
public sealed class SessionEventsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(3);
    private readonly CruiserWorld world = new();

    public Task InitializeAsync() => world.InitializeAsync();

    public Task DisposeAsync() => world.DisposeAsync();

    /// <summary>What the gateway does for a newcomer: join the line, take the lock, allocate, bind, unlock.</summary>
    private async Task<RuntimeSession> ComeInAsync(string user)
    {
        var lifecycle = world.Get<SessionLifecycle>();
        await lifecycle.JoinQueueAsync(user);
        world.Time.Advance(Wait);
        Assert.True(await lifecycle.BeginAllocationAsync(user, "token", TimeSpan.FromSeconds(30)));
        var session = await world.AllocateAsync(user, bind: false);
        await lifecycle.BindRuntimeAsync(session);
        await lifecycle.EndAllocationAsync(user, "token");
        return session;
    }

    [Fact]
    public async Task Allocate_idle_reclaim_allocate_give_back_admin_release_and_a_killed_runtime_are_all_exported_in_order()
    {
        var lifecycle = world.Get<SessionLifecycle>();
        var start = world.Time.GetUtcNow();
        await world.Get<LeaseStore>().MarkEpochAsync("events-test"); // the cache has not lost its data: nothing is rebuilt
        var first = await ComeInAsync("alice");
        world.Time.Advance(CruiserWorld.IdleTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await world.Get<IdleReaper>().RunPassAsync(CancellationToken.None));

        var second = await ComeInAsync("alice");
        world.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await lifecycle.ReleaseAsync(second, ReleaseReason.GaveBack, CancellationToken.None));

        var third = await ComeInAsync("alice");
        Assert.True(await lifecycle.ReleaseAsync(third, ReleaseReason.Admin, CancellationToken.None, new ReleaseDetail(By: "admin")));
        Assert.Equal("An administrator (admin) gave your runtime back; your next request starts a new one.", await world.Get<NoticeBoard>().PeekAsync("alice"));

        var fourth = await ComeInAsync("alice");
        await world.Agones.Agones.DeleteGameServerAsync(fourth.Runtime, CancellationToken.None); // the runtime is killed behind the platform's back
        await Tests.Infrastructure.Eventually.HoldsAsync(async () => await world.StateOfAsync(fourth.Runtime) is null, TimeSpan.FromSeconds(30), "the GameServer to be gone");
        Assert.Equal(1, (await world.Get<Reconciler>().RunAsync(CancellationToken.None)).Dropped);

        var export = SessionEventLog.ToJsonLines(await world.Get<SessionEventLog>().ReadAsync(start, until: null));
        var events = export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        string[] allocation = ["queued", "allocating", "bound"];
        string[] expected =
        [
            .. allocation, "released:idle",
            .. allocation, "released:gave_back",
            .. allocation, "released:admin",
            .. allocation, "released:runtime_gone",
        ];
        Assert.Equal(expected, events.Select(e => e.GetProperty("state").GetString() + (e.GetProperty("reason").GetString() is { } r ? ":" + r : "")));
        Assert.All(events, e =>
        {
            Assert.Equal(1, e.GetProperty("v").GetInt32());
            Assert.Equal("alice", e.GetProperty("person").GetString());
            Assert.Equal("sd-agones-fleet", e.GetProperty("fleet").GetString());
            Assert.Equal("default", e.GetProperty("profile").GetString()); // no profiles configured: the one default profile
        });
        Assert.Equal(events.Select(e => e.GetProperty("seq").GetInt64()).Order(), events.Select(e => e.GetProperty("seq").GetInt64()));
        Assert.Equal([first.Runtime, second.Runtime, third.Runtime, fourth.Runtime],
            events.Where(e => e.GetProperty("state").GetString() == "bound").Select(e => e.GetProperty("runtime").GetString()));
        Assert.All(events.Where(e => e.GetProperty("state").GetString() == "bound"), e => Assert.Equal(Wait.TotalSeconds, e.GetProperty("waitedSeconds").GetDouble()));
        Assert.Equal((CruiserWorld.IdleTimeout + TimeSpan.FromSeconds(1)).TotalSeconds, events[3].GetProperty("heldSeconds").GetDouble());
        Assert.Equal(120, events[7].GetProperty("heldSeconds").GetDouble());

        var csv = SessionEventLog.ToCsv(await world.Get<SessionEventLog>().ReadAsync(start, until: null)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(SessionEvent.CsvHeader, csv[0]);
        Assert.Equal(events.Count, csv.Length - 1);
        Assert.Contains(",released,alice,", csv[4], StringComparison.Ordinal);
        Assert.EndsWith(",idle,,901", csv[4], StringComparison.Ordinal);
    }
}
