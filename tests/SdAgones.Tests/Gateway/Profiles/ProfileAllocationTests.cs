using System.Text;
using SdAgones.Contracts.Profiles;
using SdAgones.Cruiser.Idle;
using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Profiles;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Tests.Gateway.Profiles;

/// <summary>
/// Allocation per profile on fake time against real Garnet and LocalAgones: the selector pins the profile's Fleet and
/// the answer's Fleet is checked, each profile has its own waiting line, idle timeouts differ per profile, and a
/// person holds one runtime whatever profiles they ask for at once. Two profiles: <c>t4</c> (the default, LocalAgones'
/// own Fleet) and <c>l4</c> (its Fleet made of relabelled runtimes, see <see cref="GatewayWorld.MoveToFleetAsync"/>).
/// </summary>
public sealed class ProfileAllocationTests : IAsyncLifetime
{
    public const string L4Fleet = "sd-agones-fleet-l4";
    public static readonly TimeSpan L4Idle = TimeSpan.FromMinutes(2);

    private readonly FleetSwap swap = new();
    private readonly GatewayWorld world;

    public ProfileAllocationTests() => world = new(buffer: 2, max: 5, profiles: Profiles()) { AgonesHandler = () => new FleetSwapHandler(swap) };

    /// <summary>The two profiles: everyone may use t4; only ann and bob may use l4, which reclaims after 2 minutes idle.</summary>
    public static RuntimeProfile[] Profiles() =>
    [
        new() { Slug = "t4", DisplayName = "T4", Fleet = SdAgones.Contracts.RuntimeFleet.Name, Default = true },
        new() { Slug = "l4", DisplayName = "L4", GpuType = "nvidia-l4", GpuCount = 2, Fleet = L4Fleet, IdleTimeout = L4Idle, AllowedUsers = ["ann@example.com", "bob@example.com"] },
    ];

    public Task InitializeAsync() => world.StartAsync();

    public Task DisposeAsync() => world.DisposeAsync().AsTask();

    private RuntimeProfile T4 => world.Gateway.Get<ProfileCatalog>().Find("t4")!;

    private RuntimeProfile L4 => world.Gateway.Get<ProfileCatalog>().Find("l4")!;

    [Fact]
    public async Task With_the_l4_Fleet_full_l4_people_wait_in_the_l4_line_while_t4_people_are_served_at_once()
    {
        await world.MoveToFleetAsync(L4Fleet, 1);

        var ann = await world.Gateway.Allocator.EnsureAsync("ann@example.com", L4);
        Assert.Equal(WaitStage.Ready, ann.Stage);
        Assert.Equal("l4", ann.Session!.Profile);
        Assert.Equal([L4Fleet], await world.FleetsOfAsync("ann@example.com"));

        var bob = await world.OtherGateway.Allocator.EnsureAsync("bob@example.com", L4);
        Assert.Null(bob.Session);
        Assert.Equal(1, bob.QueuePosition);

        var carol = await world.Gateway.Allocator.EnsureAsync("carol@example.com", T4);
        Assert.Equal(WaitStage.Ready, carol.Stage);
        Assert.Equal("t4", carol.Session!.Profile);
        Assert.Equal([SdAgones.Contracts.RuntimeFleet.Name], await world.FleetsOfAsync("carol@example.com"));

        var lines = world.Gateway.Get<ProfileLines>();
        Assert.Equal(["bob@example.com"], await lines.For(L4).QueueAsync());
        Assert.Empty(await lines.For(T4).QueueAsync());
        Assert.Empty(await world.RuntimesOfAsync("bob@example.com"));

        // The events say which profile and Fleet each step was for.
        var events = await world.Gateway.Get<SessionEventLog>().ReadAsync(null, null);
        var queued = Assert.Single(events, e => e.Person == "bob@example.com" && e.State == "queued");
        Assert.Equal(("l4", L4Fleet), (queued.Profile, queued.Fleet));
        var bound = Assert.Single(events, e => e.Person == "carol@example.com" && e.State == "bound");
        Assert.Equal(("t4", SdAgones.Contracts.RuntimeFleet.Name), (bound.Profile, bound.Fleet));

        // Control: once an l4 runtime is Ready, bob (first in the l4 line) gets it.
        await world.MoveToFleetAsync(L4Fleet, 1);
        var later = await world.OtherGateway.Allocator.EnsureAsync("bob@example.com", L4);
        Assert.Equal("l4", later.Session?.Profile);
        Assert.Equal([L4Fleet], await world.FleetsOfAsync("bob@example.com"));
    }

    [Fact]
    public async Task A_runtime_of_another_Fleet_in_Agones_answer_is_given_back_and_not_bound()
    {
        await world.MoveToFleetAsync(L4Fleet, 1);
        swap.From = L4Fleet; // Agones now answers an l4 request with a t4 runtime
        swap.To = SdAgones.Contracts.RuntimeFleet.Name;

        var wrong = await world.Gateway.Allocator.EnsureAsync("ann@example.com", L4);

        Assert.Null(wrong.Session);
        Assert.Equal("The runtime service answered with a runtime of another profile; it was given back, please retry.", wrong.Problem);
        Assert.Null(await world.Store.GetAsync("ann@example.com"));
        await Infrastructure.Eventually.HoldsAsync(async () => (await world.RuntimesOfAsync("ann@example.com")).Count == 0,
            TimeSpan.FromSeconds(30), "the wrong runtime to be given back");

        // Control: with Agones honouring the selector again, the same request gets an l4 runtime.
        swap.From = null;
        var right = await world.Gateway.Allocator.EnsureAsync("ann@example.com", L4);
        Assert.Equal("l4", right.Session?.Profile);
        Assert.Equal([L4Fleet], await world.FleetsOfAsync("ann@example.com"));
    }

    [Fact]
    public async Task An_l4_runtime_is_reclaimed_after_its_own_idle_timeout_while_a_t4_runtime_keeps_the_platform_one()
    {
        await world.MoveToFleetAsync(L4Fleet, 1);
        var ann = (await world.Gateway.Allocator.EnsureAsync("ann@example.com", L4)).Session!;
        var carol = (await world.Gateway.Allocator.EnsureAsync("carol@example.com", T4)).Session!;
        var reaper = world.Get<IdleReaper>();

        world.Time.Advance(L4Idle - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await reaper.RunPassAsync(CancellationToken.None));
        world.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await reaper.RunPassAsync(CancellationToken.None));

        Assert.Null(await world.Store.GetAsync("ann@example.com"));
        Assert.Equal(carol.Runtime, (await world.Store.GetAsync("carol@example.com"))?.Runtime);
        Assert.Equal("Your runtime was given back after 2 minutes without activity; your next request starts a new one.",
            await world.Gateway.Get<NoticeBoard>().PeekAsync("ann@example.com"));
        var released = Assert.Single(await world.Gateway.Get<SessionEventLog>().ReadAsync(null, null), e => e.State == "released" && e.Person == "ann@example.com");
        Assert.Equal(("idle", "l4", ann.Runtime), (released.Reason, released.Profile, released.Runtime));

        // Usage counts the l4 runtime's 121 s under l4, times its two GPUs.
        var ledger = world.Gateway.Get<SdAgones.Runtimes.Usage.UsageLedger>();
        await ledger.FoldAsync();
        var row = Assert.Single(await ledger.PersonAsync("ann@example.com"));
        Assert.Equal(("l4", 242.0), (row.Profile, row.GpuSeconds));

        // Control: the t4 runtime goes only after the platform's timeout (15 minutes).
        world.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await reaper.RunPassAsync(CancellationToken.None));
        world.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(1, await reaper.RunPassAsync(CancellationToken.None));
        Assert.Null(await world.Store.GetAsync("carol@example.com"));
    }

    [Fact]
    public async Task Concurrent_requests_for_two_profiles_never_leave_a_person_with_two_Allocated_runtimes()
    {
        await world.Gateway.SeesReadyAsync(2);
        var first = await world.Gateway.Allocator.EnsureAsync("ann@example.com", T4);
        Assert.Equal("t4", first.Session!.Profile);
        await world.MoveToFleetAsync(L4Fleet, 1);

        var most = 0;
        using var stop = new CancellationTokenSource();
        var poll = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                most = Math.Max(most, (await world.RuntimesOfAsync("ann@example.com")).Count);
                await Task.Delay(5);
            }
        });

        // Both gateways, both profiles, and the switch (give back the t4 runtime) at the same time.
        var lifecycle = world.Gateway.Get<SessionLifecycle>();
        var calls = new List<Task>();
        for (var i = 0; i < 16; i++)
        {
            var gateway = i % 2 == 0 ? world.Gateway : world.OtherGateway;
            calls.Add(gateway.Allocator.EnsureAsync("ann@example.com", i % 4 < 2 ? L4 : T4));
            if (i == 4)
            {
                calls.Add(lifecycle.ReleaseAsync(first.Session, ReleaseReason.ProfileSwitch, CancellationToken.None));
            }
        }

        await world.WhileClockRunsAsync(Task.WhenAll(calls).ContinueWith(_ => 0, TaskScheduler.Default), TimeSpan.FromMilliseconds(50));
        await Task.WhenAll(calls); // none failed
        await Task.Delay(300); // the deletions the release started land in Agones' list
        await stop.CancelAsync();
        await poll;

        Assert.Equal(1, most);
        Assert.True((await world.RuntimesOfAsync("ann@example.com")).Count <= 1);

        // Control: after the switch settles, an l4 request lands in the l4 Fleet, and still only one runtime is held.
        var settled = await world.Store.GetAsync("ann@example.com");
        if (settled is not null && settled.Profile != "l4")
        {
            Assert.True(await lifecycle.ReleaseAsync(settled, ReleaseReason.ProfileSwitch, CancellationToken.None));
        }

        await Infrastructure.Eventually.HoldsAsync(async () => (await world.FleetsOfAsync("ann@example.com")).All(f => f == L4Fleet),
            TimeSpan.FromSeconds(30), "ann's t4 runtime to be given back");
        var landed = await world.WhileClockRunsAsync(world.Gateway.Allocator.EnsureAsync("ann@example.com", L4), TimeSpan.FromMilliseconds(50));
        Assert.Equal("l4", landed.Session?.Profile);
        Assert.Equal([L4Fleet], await world.FleetsOfAsync("ann@example.com"));
    }

    /// <summary>Which Fleet label the stand-in Agones swaps in allocation requests (null: none).</summary>
    private sealed class FleetSwap
    {
        public volatile string? From;
        public volatile string? To;
    }

    /// <summary>An Agones that ignores the Fleet a selector pins: rewrites <see cref="FleetSwap.From"/> to <see cref="FleetSwap.To"/> in allocation requests.</summary>
    private sealed class FleetSwapHandler(FleetSwap swap) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (swap.From is { } from && swap.To is { } to && request.Method == HttpMethod.Post && request.Content is not null
                && request.RequestUri?.AbsolutePath.EndsWith("/gameserverallocations", StringComparison.Ordinal) == true)
            {
                var body = await request.Content.ReadAsStringAsync(cancellationToken);
                var type = request.Content.Headers.ContentType?.MediaType ?? "application/json";
                request.Content = new StringContent(body.Replace($"\"{from}\"", $"\"{to}\"", StringComparison.Ordinal), Encoding.UTF8, type);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
