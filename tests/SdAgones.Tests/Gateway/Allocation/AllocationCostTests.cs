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

    [Fact]
    public async Task With_fair_share_on_an_allocation_and_a_waiting_poll_cost_the_same_with_10_and_with_200_people_waiting()
    {
        await using var world = new GatewayWorld(buffer: 1, max: 2, new Dictionary<string, string?> { ["Usage:FairShare"] = "true" });
        await world.StartAsync();
        var db = world.Cache.GetDatabase();
        var lifecycle = world.Gateway.Get<SessionLifecycle>();
        var holders = new Queue<RuntimeSession>();
        foreach (var holder in new[] { "holder-1@example.com", "holder-2@example.com" }) // the fleet full: both runtimes held
        {
            // The gateway's informer may still show the first holder's runtime as Ready for a moment, and the second
            // runtime is still starting: ask until served, as a person's browser does.
            holders.Enqueue(await Eventually.ReturnsAsync(async () => (await RequestAsync(world.Gateway, holder)).Session,
                TimeSpan.FromSeconds(60), $"{holder} to get a runtime"));
        }

        var costs = new List<(int Waiting, string Poll, string Allocation)>();
        var joined = 0;
        foreach (var waiting in new[] { 10, 200 })
        {
            for (; await world.Line.CountAsync() < waiting; joined++)
            {
                var person = $"w-{joined:000}@example.com";
                if (joined % 2 == 0) // half of them used GPU time recently, so fair share reorders the line
                {
                    await db.HashSetAsync(UsageLedger.PersonKey(person), UsageCalendar.Name(UsageCalendar.DayOf(world.Time.GetUtcNow())) + "|sd-agones-fleet", 3_600);
                }

                Assert.Equal(WaitStage.Queued, (await RequestAsync(world.Gateway, person)).Outcome?.Stage);
            }

            var last = (await world.Line.QueueAsync(waiting)).Last();
            var (poll, polled) = await CountAsync(world, world.Gateway, last); // the last in line asks again
            Assert.Equal(WaitStage.Queued, polled?.Stage);
            Assert.Equal((long?)(waiting - 1), polled?.QueueRank);

            Assert.True(await lifecycle.ReleaseAsync(holders.Dequeue(), ReleaseReason.GaveBack, CancellationToken.None)); // a runtime frees up
            await world.Gateway.SeesReadyAsync(1);
            var head = (await world.Line.QueueAsync(1)).Single();
            Assert.EndsWith("@example.com", head);
            Assert.Equal(1, int.Parse(head["w-".Length..head.IndexOf('@')], System.Globalization.CultureInfo.InvariantCulture) % 2); // no usage goes first
            var (allocation, served) = await CountAsync(world, world.Gateway, head);
            Assert.Equal(WaitStage.Ready, served?.Stage);
            holders.Enqueue(served!.Session!);
            costs.Add((waiting, CacheCommands.Describe(poll), CacheCommands.Describe(allocation)));
        }

        var report = string.Join("; ", costs.Select(c => $"{c.Waiting} waiting: poll {c.Poll}, allocation {c.Allocation}"));
        Assert.True(costs.All(c => c.Poll == "hgetall=1 script=1" && c.Allocation == "hgetall=1 script=2"), report);
    }
}
