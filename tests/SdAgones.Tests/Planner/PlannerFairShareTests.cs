using SdAgones.Planner.Input;
using SdAgones.Planner.Simulation;
using SdAgones.Runtimes.Usage;

namespace SdAgones.Tests.Planner;

/// <summary>The planner's fair-share line is the product's: the score fixed at joining from the usage so far, decayed on simulated time.</summary>
public sealed class PlannerFairShareTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    // One runtime (node pool max 1, Buffer 1, warm-up 30 s); everyone gives back. Seconds after 00:00 UTC:
    //   0      heavy arrives, takes the warm runtime R0 (wait 0), active 2 h → gives back at 7200; R1 starts, Ready 7230
    //   10800  alice arrives, takes R1 (wait 0), gives back at 14400
    //   10860  heavy arrives again and waits;  10860 + BOB bob arrives and waits (no usage: his score is his arrival)
    //   14400  alice gives back; R2 Ready at 14430 → the lower score; that one gives back 600 s later (15030),
    //          R3 Ready at 15060 → the other.
    // Heavy's score when joining at 10860 (3 h 01 min): today's bucket holds 7200 s, its age is measured from the middle
    // of the part of the day that has passed, 10860 / 2 = 5430 s. Usage defaults (half-life 7 d, bound 30 min, scale 1 h):
    //   decayed = 7200 × 2^(−5430 / 604800) = 7155.33 s; handicap = 1800 × 7155.33 / (7155.33 + 3600) = 1197.508 s,
    //   so heavy counts as arriving at 10860 + 1197.508 = 12057.508 s.
    //   - bob 60 s after heavy (10920 < 12057.5): bob first. bob binds 14430 (wait 3510), heavy 15060 (wait 4200):
    //     heavy waits 630 s longer than under FIFO, behind someone who came 1 min after him — within the 30-min bound.
    //   - bob 1100 s after heavy (11960 < 12057.5): still bob first, bob 14430 (wait 2470), heavy 15060 (4200). With the
    //     decay run on the wall clock instead (a week or more after these times) heavy's handicap would be ≤ 900 s and
    //     heavy first: this row tells simulated time from the machine's.
    //   - bob 21 min after heavy (12120 > 12057.5): heavy first, as FIFO: heavy 14430 (3570), bob 15060 (2940).
    // FIFO, bob 60 s later: heavy 14430 (wait 3570), bob 15060 (wait 4140).
    // Half-life 10 min: decayed = 7200 × 2^(−5430 / 600) = 13.58 s; handicap = 1800 × 13.58 / 3613.58 = 6.77 s < 60 s,
    //   so heavy is first again: the decay runs on simulated time.
    // Waits are listed in bind order: heavy 0, alice 0, then the two who waited.
    [Theory]
    [InlineData("fifo", 60, 0, "heavy", 3570, "bob", 4140)]
    [InlineData("fair-share", 60, 0, "bob", 3510, "heavy", 4200)]
    [InlineData("fair-share", 1100, 0, "bob", 2470, "heavy", 4200)]
    [InlineData("fair-share", 1260, 0, "heavy", 3570, "bob", 2940)]
    [InlineData("fair-share", 60, 10, "heavy", 3570, "bob", 4140)]
    public void Fair_share_serves_the_lighter_user_first_within_the_ageing_bound(
        string order, int bobAfterHeavy, int halfLifeMinutes, string first, int firstWait, string second, int secondWait)
    {
        var defaults = new UsageOptions();
        IWaitingOrder waitingOrder = order == "fifo" ? Fifo.Instance
            : new FairShareWaitingOrder(halfLifeMinutes > 0 ? TimeSpan.FromMinutes(halfLifeMinutes) : defaults.HalfLife, defaults.MaxWaitBehindLater, defaults.UsageScale);
        Visit V(string person, int atSeconds, int activeSeconds) => new(person, "sd-webui/", atSeconds * 1000L, activeSeconds * 1000L, GaveBack: true);
        Visit[] visits = [V("heavy", 0, 7200), V("alice", 10800, 3600), V("heavy", 10860, 600), V("bob", 10860 + bobAfterHeavy, 600)];
        var parameters = new SimulationParameters(new WarmUp(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(10), 1, 1, waitingOrder);

        var outcome = new FleetSimulation(visits, new PlanSetting(1, TimeSpan.FromMinutes(15), "buffer"), parameters, Midnight).Run(0);

        long[] expected = [0, 0, firstWait * 1000L, secondWait * 1000L];
        Assert.Equal(expected, outcome.WaitsMs);
        Assert.Equal((7200 + 3600 + 600 + 600) * 1000L, outcome.BoundMs);
        int ArrivedAt(string person) => person == "heavy" ? 10860 : 10860 + bobAfterHeavy;
        Assert.Equal((14430, 15060), (ArrivedAt(first) + firstWait, ArrivedAt(second) + secondWait)); // who is who: binds at R2's and R3's Ready
    }

    // The score is fixed when heavy joins (the product's enqueue script returns early for someone already in line):
    // the row above with bob 21 min later, and heavy asking again at 11060 while waiting. Heavy keeps 12057.5 < bob's
    // 12120 and is served first at 14430 — waits 3570 and 3370 for his two arrivals — then bob at 15060 (2940).
    // Scored anew at 11060 he would count as 11060 + 1197.5 = 12257.5 and come after bob.
    [Fact]
    public void Asking_again_while_waiting_keeps_the_score_fixed_at_joining()
    {
        var defaults = new UsageOptions();
        var parameters = new SimulationParameters(new WarmUp(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(10), 1, 1,
            new FairShareWaitingOrder(defaults.HalfLife, defaults.MaxWaitBehindLater, defaults.UsageScale));
        Visit V(string person, int atSeconds, int activeSeconds) => new(person, "sd-webui/", atSeconds * 1000L, activeSeconds * 1000L, GaveBack: true);
        Visit[] visits = [V("heavy", 0, 7200), V("alice", 10800, 3600), V("heavy", 10860, 600), V("heavy", 11060, 600), V("bob", 12120, 600)];

        var outcome = new FleetSimulation(visits, new PlanSetting(1, TimeSpan.FromMinutes(15), "buffer"), parameters, Midnight).Run(0);

        Assert.Equal([0L, 0, 3_570_000, 3_370_000, 2_940_000], outcome.WaitsMs);
    }

    // The planner's score is the product's function itself: heavy's score above, from FairShare.Priority.
    [Fact]
    public void The_score_is_the_products_priority_of_the_usage_folded_into_day_buckets()
    {
        var defaults = new UsageOptions();
        var order = new FairShareWaitingOrder(defaults.HalfLife, defaults.MaxWaitBehindLater, defaults.UsageScale);
        var arrival = Midnight.AddSeconds(10860);

        var score = order.Score("heavy", 2, arrival, [(DateOnly.FromDateTime(Midnight.UtcDateTime), 7200)]);

        Assert.Equal(arrival.ToUnixTimeMilliseconds() + 1_197_508, score);
        Assert.Equal(arrival.ToUnixTimeMilliseconds(), order.Score("bob", 3, arrival, []));
    }
}
