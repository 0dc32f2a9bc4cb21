using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using SdAgones.Cruiser.Idle;
using SdAgones.Cruiser.Reconciliation;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Cruiser;

/// <summary>What the cruiser decides, on fake time against real Garnet and LocalAgones.</summary>
public sealed class CruiserPolicyTests : IAsyncLifetime
{
    private readonly CruiserWorld world = new();

    public Task InitializeAsync() => world.InitializeAsync();

    public Task DisposeAsync() => world.DisposeAsync();

    private static bool Gone(GameServerState? state) => state is null or GameServerState.Shutdown;

    [Fact]
    public async Task An_idle_runtime_is_reclaimed_on_the_first_pass_after_its_deadline_and_not_before()
    {
        var session = await world.AllocateAsync("alice@example.com");
        var reaper = world.Get<IdleReaper>();

        world.Time.Advance(CruiserWorld.IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await reaper.RunPassAsync(CancellationToken.None));
        Assert.NotNull(await world.Store.GetAsync("alice@example.com"));

        world.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await reaper.RunPassAsync(CancellationToken.None));
        Assert.Null(await world.Store.GetAsync("alice@example.com"));
        Assert.True(Gone(await world.StateOfAsync(session.Runtime)));
        var notice = await world.Get<NoticeBoard>().PeekAsync("alice@example.com");
        Assert.Equal("Your runtime was given back after 15 minutes without activity; your next request starts a new one.", notice);
    }

    [Fact]
    public async Task A_runtime_the_agent_reports_busy_is_kept_and_its_idle_clock_restarts()
    {
        var session = await world.AllocateAsync("bob@example.com");
        await world.Agones.Agones.PatchGameServerMetadataAsync(session.Runtime, null,
            new Dictionary<string, string> { [AgonesApi.BusyAnnotation] = "true" }, CancellationToken.None);

        world.Time.Advance(CruiserWorld.IdleTimeout + TimeSpan.FromMinutes(5));
        Assert.Equal(0, await world.Get<IdleReaper>().RunPassAsync(CancellationToken.None));

        Assert.Equal(session.Runtime, (await world.Store.GetAsync("bob@example.com"))?.Runtime);
        Assert.Equal(world.Time.GetUtcNow(), await world.Store.LastSeenAsync("bob@example.com"));
        Assert.Equal(GameServerState.Allocated, await world.StateOfAsync(session.Runtime));
    }

    [Fact]
    public async Task A_runtime_whose_WebUI_is_generating_is_kept()
    {
        var session = await world.AllocateAsync("carol@example.com");
        using var webUI = new HttpClient { BaseAddress = session.Target };
        var generation = webUI.PostAsJsonAsync("sdapi/v1/txt2img", new { prompt = "a long one", seed = 1, steps = 150 });
        await Eventually.HoldsAsync(async () =>
            (await webUI.GetFromJsonAsync<System.Text.Json.JsonElement>("sdapi/v1/progress")).GetProperty("state").GetProperty("job_count").GetInt32() > 0,
            TimeSpan.FromSeconds(10), "the generation to start");

        world.Time.Advance(CruiserWorld.IdleTimeout + TimeSpan.FromMinutes(1));
        Assert.Equal(0, await world.Get<IdleReaper>().RunPassAsync(CancellationToken.None));
        Assert.NotNull(await world.Store.GetAsync("carol@example.com"));
        (await generation).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_runtime_that_does_not_answer_is_not_busy()
    {
        var session = await world.AllocateAsync("dan@example.com");
        var unreachable = session with { Target = new Uri($"http://127.0.0.1:{FreePort.Next()}/") };
        await world.Store.AssignAsync(unreachable);

        world.Time.Advance(CruiserWorld.IdleTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await world.Get<IdleReaper>().RunPassAsync(CancellationToken.None));
        Assert.True(Gone(await world.StateOfAsync(session.Runtime)));
    }

    [Fact]
    public async Task An_allocated_runtime_nobody_holds_is_shut_down_after_the_grace_period()
    {
        await world.Get<LeaseStore>().MarkEpochAsync("healthy-cache");
        var orphan = await world.AllocateAsync("orphan@example.com", bind: false);
        var reconciler = world.Get<Reconciler>();

        Assert.Equal(0, (await reconciler.RunAsync(CancellationToken.None)).Orphans);
        Assert.Equal(GameServerState.Allocated, await world.StateOfAsync(orphan.Runtime));

        world.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, (await reconciler.RunAsync(CancellationToken.None)).Orphans);
        Assert.True(Gone(await world.StateOfAsync(orphan.Runtime)));
    }

    [Fact]
    public async Task After_the_cache_loses_its_data_sessions_are_rebuilt_from_Agones()
    {
        var session = await world.AllocateAsync("erin@example.com", bind: false); // as if the cache were flushed
        world.Time.Advance(TimeSpan.FromMinutes(10));

        var result = await world.Get<Reconciler>().RunAsync(CancellationToken.None);

        Assert.Equal(1, result.Rebuilt);
        var rebuilt = await world.Store.GetAsync("erin@example.com");
        Assert.Equal(session.Runtime, rebuilt?.Runtime);
        Assert.Equal(session.Target, rebuilt?.Target);
        Assert.Equal(GameServerState.Allocated, await world.StateOfAsync(session.Runtime));
        Assert.Equal(0, (await world.Get<Reconciler>().RunAsync(CancellationToken.None)).Orphans);
    }

    [Fact]
    public async Task A_session_whose_runtime_is_gone_is_dropped()
    {
        var session = await world.AllocateAsync("gus@example.com");
        await world.Agones.Agones.DeleteGameServerAsync(session.Runtime, CancellationToken.None);
        await Eventually.HoldsAsync(async () => await world.StateOfAsync(session.Runtime) is null, TimeSpan.FromSeconds(30), "the runtime to be deleted");

        Assert.Equal(1, (await world.Get<Reconciler>().RunAsync(CancellationToken.None)).Dropped);
        Assert.Null(await world.Store.GetAsync("gus@example.com"));
    }

    [Fact]
    public async Task A_person_bound_while_a_reconcile_pass_reads_Agones_keeps_their_runtime()
    {
        await world.Get<LeaseStore>().MarkEpochAsync("healthy-cache");
        await world.Agones.WaitForReadyAsync(1);
        var reconciler = world.Get<Reconciler>();

        // The gateway allocates a runtime to Paula and binds her session just after the pass has read the GameServers
        // (the runtime still Ready in what it read) and before it reads anything else.
        RuntimeSession? paula = null;
        world.Tap.Answered = async request =>
        {
            if (paula is null && request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.EndsWith("/gameservers", StringComparison.Ordinal))
            {
                world.Tap.Answered = null;
                paula = await world.AllocateAsync("paula@example.com");
            }
        };
        var result = await reconciler.RunAsync(CancellationToken.None);

        Assert.NotNull(paula);
        Assert.Equal(0, result.Dropped);
        Assert.Equal(paula.Runtime, (await world.Store.GetAsync("paula@example.com"))?.Runtime);
        Assert.Equal(GameServerState.Allocated, await world.StateOfAsync(paula.Runtime));

        // Control: the next pass sees her bound, and a session whose runtime really is gone is still dropped.
        var gus = await world.AllocateAsync("gus@example.com");
        await world.Agones.Agones.DeleteGameServerAsync(gus.Runtime, CancellationToken.None);
        await Eventually.HoldsAsync(async () => await world.StateOfAsync(gus.Runtime) is null, TimeSpan.FromSeconds(30), "Gus's runtime to be deleted");
        Assert.Equal(1, (await reconciler.RunAsync(CancellationToken.None)).Dropped);
        Assert.Null(await world.Store.GetAsync("gus@example.com"));
        Assert.Equal(paula.Runtime, (await world.Store.GetAsync("paula@example.com"))?.Runtime);
        Assert.Equal(GameServerState.Allocated, await world.StateOfAsync(paula.Runtime));
    }
}
