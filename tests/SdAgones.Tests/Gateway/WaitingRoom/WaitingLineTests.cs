using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SdAgones.Cruiser.Reconciliation;
using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Tests.Gateway.WaitingRoom;

/// <summary>
/// When every runtime is taken: people wait in arrival order, the first freed runtime goes to the first in line, and
/// a place in line lapses when its holder stops asking (fake time, real Garnet and LocalAgones).
/// </summary>
public sealed class WaitingLineTests : IAsyncLifetime
{
    private readonly GatewayWorld world = new(buffer: 1, max: 2);

    public async Task InitializeAsync()
    {
        await world.StartAsync();
        await world.Get<LeaseStore>().MarkEpochAsync("healthy-cache");
        await FillTheFleetAsync();
    }

    public Task DisposeAsync() => world.DisposeAsync().AsTask();

    private async Task FillTheFleetAsync()
    {
        foreach (var user in new[] { "ann@example.com", "bob@example.com" })
        {
            await world.Gateway.SeesReadyAsync(1);
            Assert.Equal(WaitStage.Ready, (await world.Gateway.Allocator.EnsureAsync(user)).Stage);
        }
    }

    private async Task<AllocationOutcome> AskAsync(string user) => await world.Gateway.Allocator.EnsureAsync(user);

    [Fact]
    public async Task The_first_in_line_does_not_ask_Agones_while_no_runtime_is_Ready_so_waiting_writes_no_allocating_events()
    {
        await Infrastructure.Eventually.HoldsAsync(
            () => Task.FromResult(world.Gateway.Watcher.All.Count(server => server.State == GameServerState.Ready) == 0),
            TimeSpan.FromSeconds(30), "the gateway to see the full fleet with no Ready runtime");
        for (var poll = 0; poll < 5; poll++)
        {
            var carol = await AskAsync("carol@example.com"); // her waiting page asks again and again
            Assert.Equal((WaitStage.Queued, 1L), (carol.Stage, carol.QueuePosition));
        }

        var events = await world.Get<SessionEventLog>().ReadAsync(null, null);
        Assert.DoesNotContain(events, e => e is { Person: "carol@example.com", State: "allocating" });
        Assert.Contains(events, e => e is { Person: "ann@example.com", State: "allocating" }); // control: an allocation that happened is recorded
    }

    [Fact]
    public async Task With_the_fleet_full_people_queue_in_arrival_order_and_the_first_freed_runtime_goes_to_the_first_in_line()
    {
        var carol = await AskAsync("carol@example.com");
        var dave = await AskAsync("dave@example.com");
        var erin = await world.OtherGateway.Allocator.EnsureAsync("erin@example.com");
        Assert.Equal((WaitStage.Queued, 1L), (carol.Stage, carol.QueuePosition)); // people count from 1
        Assert.Equal((WaitStage.Queued, 2L), (dave.Stage, dave.QueuePosition));
        Assert.Equal((WaitStage.Queued, 3L), (erin.Stage, erin.QueuePosition));

        // Ann gives her runtime back; Agones replaces it with one fresh Ready runtime.
        var ann = (await world.Store.GetAsync("ann@example.com"))!;
        Assert.True(await world.Gateway.Get<SessionLifecycle>().ReleaseAsync(ann, ReleaseReason.GaveBack, CancellationToken.None));
        await world.Gateway.SeesReadyAsync(1);

        // Dave and Erin ask first, yet the runtime waits for Carol.
        var daveAgain = await AskAsync("dave@example.com");
        var erinAgain = await world.OtherGateway.Allocator.EnsureAsync("erin@example.com");
        Assert.NotEqual(WaitStage.Ready, daveAgain.Stage);
        Assert.NotEqual(WaitStage.Ready, erinAgain.Stage);
        Assert.Empty(await world.RuntimesOfAsync("dave@example.com"));

        var carolAgain = await AskAsync("carol@example.com");
        Assert.Equal(WaitStage.Ready, carolAgain.Stage);
        Assert.Equal([carolAgain.Session!.Runtime], await world.RuntimesOfAsync("carol@example.com"));
        Assert.Equal(["dave@example.com", "erin@example.com"], await world.Line.QueueAsync());
    }

    [Fact]
    public async Task An_API_client_in_line_gets_503_with_Retry_After_and_its_place()
    {
        await AskAsync("carol@example.com");
        var dave = await AskAsync("dave@example.com");
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Request.Headers.Accept = "application/json";
        context.Response.Body = new MemoryStream();

        await world.Gateway.WaitingRoom.RespondAsync(context, "dave@example.com", dave);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("2", context.Response.Headers.RetryAfter.ToString());
        context.Response.Body.Position = 0;
        var body = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal("waiting", body.RootElement.GetProperty("error").GetString());
        Assert.Equal("queued", body.RootElement.GetProperty("stage").GetString());
        Assert.Equal(2, body.RootElement.GetProperty("queuePosition").GetInt64()); // Dave is second in line, behind Carol
    }

    [Fact]
    public async Task A_place_in_line_lapses_after_its_lifetime_without_a_request_and_is_kept_while_the_person_keeps_asking()
    {
        await AskAsync("carol@example.com");
        await AskAsync("dave@example.com");
        var reconciler = world.Get<Reconciler>();

        world.Time.Advance(GatewayWorld.QueueEntryTtl - TimeSpan.FromSeconds(10));
        Assert.Equal(0, (await reconciler.RunAsync(CancellationToken.None)).StaleQueueEntries);
        Assert.Equal(0L, await world.Line.RankAsync("carol@example.com"));
        await AskAsync("dave@example.com"); // Dave's waiting page is still open; Carol closed hers

        world.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, (await reconciler.RunAsync(CancellationToken.None)).StaleQueueEntries);
        Assert.Null(await world.Line.RankAsync("carol@example.com"));
        Assert.Equal(0L, await world.Line.RankAsync("dave@example.com"));

        // Carol coming back joins at the end of the line.
        Assert.Equal(2L, (await AskAsync("carol@example.com")).QueuePosition); // second, behind Dave
        var events = await world.Get<SessionEventLog>().ReadAsync(null, null);
        Assert.Contains(events, e => e is { Person: "carol@example.com", State: "released", Reason: "left_queue" });
    }
}
