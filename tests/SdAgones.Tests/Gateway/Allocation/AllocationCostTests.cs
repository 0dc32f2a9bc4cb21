using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using SdAgones.Runtimes.Usage;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway.Allocation;

/// <summary>
/// What a person's way to a runtime costs the cache, counted by the cache server itself (<see cref="CacheCommands"/>):
/// a new person with a Ready runtime pays the session read every request pays, one script to check, queue and lock, and
/// one to bind; and neither an allocation nor a waiting person's poll costs more when more people wait.
/// </summary>
public sealed class AllocationCostTests
{
    /// <summary>The gateway's way for a request of a person: the session read, then the allocator when they have none (GatewayPipeline).</summary>
    private static async Task<(RuntimeSession? Session, AllocationOutcome? Outcome)> RequestAsync(GatewayInstance gateway, string user)
    {
        if (await gateway.Directory.FindAsync(user) is { } session)
        {
            return (session, null);
        }

        var outcome = await gateway.Allocator.EnsureAsync(user);
        return (outcome.Session, outcome);
    }

    private static async Task<(SortedDictionary<string, long> Spent, AllocationOutcome? Outcome)> CountAsync(GatewayWorld world, GatewayInstance gateway, string user)
    {
        var before = await CacheCommands.ReadAsync(world.Cache);
        var (_, outcome) = await RequestAsync(gateway, user);
        var spent = (await CacheCommands.ReadAsync(world.Cache)).Since(before);
        return (spent, outcome);
    }

    [Fact]
    public async Task A_new_person_with_a_Ready_runtime_costs_the_session_read_and_two_scripts()
    {
        await using var world = new GatewayWorld(buffer: 2, max: 3);
        await world.StartAsync();
        await world.Gateway.SeesReadyAsync(2);
        var warm = await RequestAsync(world.Gateway, "warm@example.com"); // the first run of each script also loads it
        Assert.NotNull(warm.Session);
        await world.Gateway.SeesReadyAsync(1);

        var (spent, outcome) = await CountAsync(world, world.Gateway, "ivy@example.com");

        Assert.Equal(WaitStage.Ready, outcome?.Stage);
        Assert.Equal([outcome!.Session!.Runtime], await world.RuntimesOfAsync("ivy@example.com"));
        Assert.Equal(outcome.Session.Runtime, (await world.Store.GetAsync("ivy@example.com"))?.Runtime); // bound in the cache
        Assert.Null(await world.Line.RankAsync("ivy@example.com")); // and out of the line
        Assert.False(await world.Store.IsLockedAsync("ivy@example.com")); // and the lock let go
        Assert.True(spent.SequenceEqual(new SortedDictionary<string, long> { ["hgetall"] = 1, ["script"] = 2 }),
            $"one allocation cost {CacheCommands.Describe(spent)}; expected hgetall=1 script=2");
    }
}
