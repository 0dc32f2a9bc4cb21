using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SdAgones.Cruiser;
using SdAgones.Cruiser.Leadership;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Cruiser;

/// <summary>The cruiser's real loop, on real time, against Garnet and LocalAgones.</summary>
public sealed class CruiserIntegrationTests
{
    [Fact]
    public async Task A_session_idle_past_a_short_timeout_is_reclaimed_and_its_runtime_deleted()
    {
        using var redis = new RedisBackends();
        await using var agones = await LocalAgonesHost.StartAsync(buffer: 1, max: 3);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = redis.GarnetEndpoint,
            ["Agones:ApiServer"] = agones.Url.ToString(),
            ["Idle:Timeout"] = "00:00:03",
            ["Idle:CheckInterval"] = "00:00:00.500",
            ["Idle:TouchInterval"] = "00:00:00",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddRedisClient("cache");
        CruiserExtensions.AddCruiserServices(builder.Services);
        builder.Services.AddHostedService<CruiserWorker>();
        using var host = builder.Build();
        await host.StartAsync();

        await agones.WaitForReadyAsync(1);
        var store = host.Services.GetRequiredService<SessionStore>();
        var status = await AllocateAsync(agones.Agones, store, "ida");

        await Eventually.HoldsAsync(async () => await store.GetAsync("ida") is null, TimeSpan.FromSeconds(20), "ida's idle session to be reclaimed");
        await Eventually.HoldsAsync(async () => await agones.Agones.GetGameServerAsync(status.GameServerName!, CancellationToken.None) is null,
            TimeSpan.FromSeconds(20), "ida's runtime to be deleted");
        Assert.DoesNotContain(await agones.ListAsync(), s => s.State == GameServerState.Allocated);

        await host.StopAsync();
    }

    /// <summary>Allocates a runtime to <paramref name="user"/> straight from Agones and records their session as of now.</summary>
    private static async Task<GameServerAllocationStatus> AllocateAsync(AgonesClient agones, SessionStore store, string user)
    {
        var status = await agones.AllocateAsync(new GameServerAllocationSpec
        {
            Selectors = [new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = "sd-agones-fleet" } }],
            Metadata = new AllocationMetadata
            {
                Labels = new() { [AgonesApi.UserLabel] = PersonLabel.For(user) },
                Annotations = new() { [AgonesApi.UserAnnotation] = user },
            },
        }, CancellationToken.None);
        await store.AssignAsync(new RuntimeSession(user, status.GameServerName!, RuntimeAddress.WebUI(status)!, DateTimeOffset.UtcNow, null));
        return status;
    }

    [Fact, Trait("Category", "Faults")]
    public async Task Of_two_cruisers_exactly_one_acts_the_follower_does_nothing_and_takes_over_when_the_leader_is_killed()
    {
        // A lease long enough that a busy machine does not starve the leader's renewal (a real handover would be correct).
        var lease = TimeSpan.FromSeconds(5);
        var check = TimeSpan.FromMilliseconds(500);
        await using var world = await SdAgones.Tests.Faults.FaultWorld.StartAsync(buffer: 2, max: 4);
        var target = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, world.Agones.Url.Port);
        await using var linkA = new TcpFaultProxy(target);
        await using var linkB = new TcpFaultProxy(target);
        (string, string)[] common = [("Lease:Duration", lease.ToString()), ("Idle:CheckInterval", check.ToString()), ("Idle:Timeout", "00:00:02"), ("Idle:TouchInterval", "00:00:00")];
        var cruiserA = await world.StartCruiserAsync([.. common, ("Agones:ApiServer", linkA.Url.ToString())]);
        var cruiserB = await world.StartCruiserAsync([.. common, ("Agones:ApiServer", linkB.Url.ToString())]);
        using var cache = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(world.CacheEndpoint);
        var store = new SessionStore(cache, TimeProvider.System);
        var leaseKey = SessionKeys.Lease(CruiserLease.Name);
        var (idA, idB) = (cruiserA.Id, cruiserB.Id); // the holder names its process; a killed one has no Id to ask for
        async Task<ServiceProcess?> LeaderAsync()
        {
            var holder = (string?)await cache.GetDatabase().StringGetAsync(leaseKey);
            return new[] { (cruiserA, idA), (cruiserB, idB) }.SingleOrDefault(c => holder?.Contains($"-{c.Item2}-", StringComparison.Ordinal) == true).Item1;
        }

        var leader = await Eventually.ReturnsAsync(LeaderAsync, TimeSpan.FromSeconds(30), "one cruiser to hold the lease");
        var (follower, leaderLink, followerLink) = leader == cruiserA ? (cruiserB, linkA, linkB) : (cruiserA, linkB, linkA);

        // Two idle people: the leader reclaims both; the follower changes nothing in Agones. (Every cruiser watches the
        // GameServers, for the warm-up meter behind the forecast webhook every replica answers: reads only.)
        await world.Agones.WaitForReadyAsync(2);
        var first = await AllocateAsync(world.Agones.Agones, store, "ida");
        var second = await AllocateAsync(world.Agones.Agones, store, "jon");
        await Eventually.HoldsAsync(async () => await store.GetAsync("ida") is null && await store.GetAsync("jon") is null,
            TimeSpan.FromSeconds(30), "the leader to reclaim both idle sessions");
        await Eventually.HoldsAsync(async () => (await world.Agones.ListAsync()).All(s => s.Name != first.GameServerName && s.Name != second.GameServerName),
            TimeSpan.FromSeconds(30), "both idle runtimes to be deleted");
        Assert.Contains(leaderLink.Requests, r => r.StartsWith("DELETE ", StringComparison.Ordinal)); // the leader deleted the idle runtimes
        Assert.DoesNotContain(followerLink.Requests, r => !r.StartsWith("GET ", StringComparison.Ordinal));
        Assert.Equal(leader, await LeaderAsync());

        // The leader is killed without giving the lease back: the follower takes over once the lease runs out, and acts.
        await leader.DisposeAsync();
        await Eventually.HoldsAsync(async () => await LeaderAsync() == follower, lease + check + TimeSpan.FromSeconds(3), "the follower to take over the lease");
        await world.Agones.WaitForReadyAsync(1);
        await AllocateAsync(world.Agones.Agones, store, "kim");
        await Eventually.HoldsAsync(async () => await store.GetAsync("kim") is null, TimeSpan.FromSeconds(30), "the new leader to reclaim kim's idle session");
        Assert.Contains(followerLink.Requests, r => r.StartsWith("DELETE ", StringComparison.Ordinal)); // the new leader acts
        Assert.False(follower.HasExited);
    }
}
