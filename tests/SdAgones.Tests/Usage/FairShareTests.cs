using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SdAgones.Runtimes;
using SdAgones.Runtimes.Sessions;
using SdAgones.Runtimes.Usage;
using SdAgones.Tests.Infrastructure;
using StackExchange.Redis;

namespace SdAgones.Tests.Usage;

/// <summary>
/// The waiting line in fair-share order against real Garnet: people who used less GPU time recently go first, nobody
/// waits behind people who came more than <c>Usage:MaxWaitBehindLater</c> after them, and with fair share off the line
/// is first come, first served.
/// </summary>
public sealed class FairShareTests(RedisBackends backends) : IClassFixture<RedisBackends>
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-11-30T12:00:00Z", CultureInfo.InvariantCulture));

    private async Task<ServiceProvider> PlatformAsync(bool fairShare)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agones:ApiServer"] = "http://127.0.0.1:9/",
            ["Usage:FairShare"] = fairShare ? "true" : "false",
            ["Usage:MaxWaitBehindLater"] = "00:30:00",
            ["Usage:UsageScale"] = "01:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddMetrics();
        services.AddSingleton(await backends.ConnectCleanAsync("garnet"));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddRuntimePlatform();
        return services.BuildServiceProvider();
    }

    /// <summary>Usage as the ledger keeps it: GPU-seconds in today's bucket of the fleet's profile.</summary>
    private async Task UsedAsync(ServiceProvider platform, string user, TimeSpan gpuTime)
    {
        var day = UsageCalendar.Name(UsageCalendar.DayOf(time.GetUtcNow()));
        await platform.GetRequiredService<IConnectionMultiplexer>().GetDatabase()
            .HashSetAsync(UsageLedger.PersonKey(user), day + "|sd-agones-fleet", gpuTime.TotalSeconds);
    }

    /// <summary>One runtime frees up: the first in line gets it (bound, so out of the line).</summary>
    private async Task<string> ServeNextAsync(ServiceProvider platform)
    {
        var first = (await platform.GetRequiredService<WaitingLine>().QueueAsync(1)).Single();
        await platform.GetRequiredService<SessionStore>().AssignAsync(
            new RuntimeSession(first, "gs-" + first, new Uri("http://10.0.0.9:7860/"), time.GetUtcNow(), null));
        return first;
    }

    [Theory]
    [InlineData(true, "light,medium,heavy")]
    [InlineData(false, "heavy,medium,light")]
    public async Task With_one_runtime_the_waiting_are_served_by_decayed_usage_or_in_arrival_order_with_fair_share_off(bool fairShare, string expected)
    {
        await using var platform = await PlatformAsync(fairShare);
        var line = platform.GetRequiredService<WaitingLine>();
        await UsedAsync(platform, "heavy", TimeSpan.FromHours(10));
        await UsedAsync(platform, "medium", TimeSpan.FromHours(2));
        foreach (var person in new[] { "heavy", "medium", "light" })
        {
            await line.EnqueueAsync(person);
            time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(expected.Split(','), await line.QueueAsync()); // the order the waiting room shows
        var served = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            served.Add(await ServeNextAsync(platform));
        }

        Assert.Equal(expected.Split(','), served);
    }

    [Fact]
    public async Task The_join_script_scores_a_person_as_FairShare_Priority_does_from_their_day_buckets()
    {
        await using var platform = await PlatformAsync(fairShare: true);
        var now = time.GetUtcNow();
        var today = UsageCalendar.DayOf(now);
        (DateOnly Day, string Profile, double Seconds)[] buckets =
            [(today, "sd-agones-fleet", 7_200), (today.AddDays(-3), "sd-agones-fleet", 18_000), (today.AddDays(-10), "other-profile", 3_600)];
        var db = platform.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        foreach (var (day, profile, seconds) in buckets)
        {
            await db.HashSetAsync(UsageLedger.PersonKey("used"), UsageCalendar.Name(day) + "|" + profile, seconds);
        }

        await platform.GetRequiredService<WaitingLine>().EnqueueAsync("used");
        await platform.GetRequiredService<WaitingLine>().EnqueueAsync("unused");

        var decayed = FairShare.DecayedUsage(buckets.Select(b => (b.Day, b.Seconds)), now, TimeSpan.FromDays(7));
        var expected = FairShare.Priority(now, decayed, 1, TimeSpan.FromHours(1), TimeSpan.FromMinutes(30));
        var queue = platform.GetRequiredService<WaitingLine>().Keys.Queue; // the default profile's line
        var score = (await db.SortedSetScoreAsync(queue, "used"))!.Value;
        Assert.True(Math.Abs(score - expected) <= 1, $"the script scored {score:F4}, FairShare.Priority says {expected:F4} (arrival {now.ToUnixTimeMilliseconds()})");
        Assert.True(expected - now.ToUnixTimeMilliseconds() > 60_000, "the usage above costs minutes of handicap"); // so a wrong formula shows
        var unused = (await db.SortedSetScoreAsync(queue, "unused"))!.Value; // control: no usage, no handicap
        Assert.True(Math.Abs(unused - now.ToUnixTimeMilliseconds()) <= 1, $"no usage scored {unused:F4}, arrival {now.ToUnixTimeMilliseconds()}");
    }

    [Fact]
    public async Task A_heavy_user_who_keeps_waiting_never_waits_behind_people_who_came_more_than_the_bound_later()
    {
        await using var platform = await PlatformAsync(fairShare: true);
        var line = platform.GetRequiredService<WaitingLine>();
        await UsedAsync(platform, "heavy", TimeSpan.FromHours(100));
        var arrived = new Dictionary<string, DateTimeOffset>();
        await line.EnqueueAsync("heavy");
        arrived["heavy"] = time.GetUtcNow();
        var servedBeforeHeavy = new List<string>();
        for (var minute = 1; minute <= 120; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            var newcomer = $"light-{minute:000}";
            await line.EnqueueAsync(newcomer); // a steady stream of people with no usage
            arrived[newcomer] = time.GetUtcNow();
            await line.EnqueueAsync("heavy"); // heavy keeps asking: their place is kept, not renewed
            if (minute % 2 == 0)
            {
                var served = await ServeNextAsync(platform);
                if (served == "heavy")
                {
                    break;
                }

                servedBeforeHeavy.Add(served);
            }
        }

        Assert.Null(await line.RankAsync("heavy")); // served within the two hours
        Assert.Contains(servedBeforeHeavy, p => arrived[p] > arrived["heavy"]); // later arrivals did pass them: fair share was on
        var bound = arrived["heavy"] + TimeSpan.FromMinutes(30);
        Assert.All(servedBeforeHeavy, p => Assert.True(arrived[p] <= bound, $"{p} arrived at {arrived[p]:O}, after {bound:O}, and was served first"));
    }
}
