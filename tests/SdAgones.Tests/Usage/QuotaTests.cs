using SdAgones.Runtimes.Sessions;
using SdAgones.Runtimes.Usage;
using SdAgones.Tests.Cruiser;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Usage;

/// <summary>
/// Daily quotas kept by the cruiser on fake time against real Garnet and LocalAgones: a notice before the limit, the
/// runtime given back at the limit with reason quota, and an administrator's extension letting the person back in.
/// </summary>
public sealed class QuotaTests : IAsyncLifetime
{
    private static readonly TimeSpan CheckInterval = QuotaPasses.CheckInterval;
    private readonly CruiserWorld world = new(new Dictionary<string, string?>
    {
        ["Usage:DailyQuota"] = "00:30:00",
        ["Usage:QuotaNotice"] = "00:10:00",
        ["Usage:Identities:bob@example.com:DailyQuota"] = "02:00:00",
    });

    public Task InitializeAsync() => world.InitializeAsync();

    public Task DisposeAsync() => world.DisposeAsync();

    private QuotaPolicy Quotas => world.Get<QuotaPolicy>();

    [Fact]
    public async Task A_person_at_their_quota_is_given_back_after_the_notice_and_an_extension_lets_them_back_in()
    {
        var morning = UsageCalendar.NextDailyReset(world.Time.GetUtcNow()) + TimeSpan.FromHours(9);
        world.Time.SetUtcNow(morning);
        var alice = await world.AllocateAsync("alice@example.com");
        var bob = await world.AllocateAsync("bob@example.com");

        await world.RunQuotaPassesForAsync(TimeSpan.FromMinutes(19) + TimeSpan.FromSeconds(50));
        Assert.False((await Quotas.StatusAsync("alice@example.com")).NoticeDue); // 10 min 10 s left
        await world.RunQuotaPassesForAsync(TimeSpan.FromSeconds(20));
        var warned = await Quotas.StatusAsync("alice@example.com");
        Assert.True(warned.NoticeDue, $"left {warned.Left}");
        Assert.Equal("alice@example.com", (await world.Store.GetAsync("alice@example.com"))?.User); // warned, not yet given back

        await world.RunQuotaPassesForAsync(TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(40));
        Assert.NotNull(await world.Store.GetAsync("alice@example.com")); // 29 min 50 s: still hers
        await world.RunQuotaPassesForAsync(CheckInterval);

        Assert.Null(await world.Store.GetAsync("alice@example.com"));
        var released = (await world.Get<SessionEventLog>().RecentAsync(10)).Last(e => e.State == "released");
        Assert.Equal(("alice@example.com", alice.Runtime, "quota"), (released.Person, released.Runtime, released.Reason));
        Assert.Equal("Your usage quota is used up, so your runtime was given back; a new one starts once your quota allows it.", await world.Get<NoticeBoard>().PeekAsync("alice@example.com"));
        await Eventually.HoldsAsync(async () => await world.StateOfAsync(alice.Runtime) is null or SdAgones.Contracts.GameServerState.Shutdown,
            TimeSpan.FromSeconds(20), "alice's GameServer deleted");
        Assert.Equal(bob.Runtime, (await world.Store.GetAsync("bob@example.com"))?.Runtime); // bob's own limit is 2 h

        var refused = await Quotas.StatusAsync("alice@example.com");
        Assert.True(refused.Exceeded);
        Assert.Equal(TimeSpan.FromMinutes(30), refused.UsedToday);
        Assert.Equal(TimeSpan.FromMinutes(30), refused.DailyLimit);
        Assert.Equal(UsageCalendar.NextDailyReset(morning), refused.ResetAt);

        var extended = await Quotas.ExtendAsync("alice@example.com", TimeSpan.FromMinutes(15));
        Assert.False(extended.Exceeded);
        Assert.Equal(TimeSpan.FromMinutes(15), extended.Left);

        var again = await world.AllocateAsync("alice@example.com");
        await world.RunQuotaPassesForAsync(TimeSpan.FromMinutes(14) + TimeSpan.FromSeconds(50));
        Assert.Equal(again.Runtime, (await world.Store.GetAsync("alice@example.com"))?.Runtime);
        await world.RunQuotaPassesForAsync(CheckInterval);
        Assert.Null(await world.Store.GetAsync("alice@example.com")); // the extension is used up too
        Assert.Equal(bob.Runtime, (await world.Store.GetAsync("bob@example.com"))?.Runtime);
    }
}
