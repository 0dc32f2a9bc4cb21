using Microsoft.Extensions.DependencyInjection;
using SdAgones.Runtimes.Sessions;
using SdAgones.Runtimes.Usage;
using SdAgones.Tests.Cruiser;
using StackExchange.Redis;

namespace SdAgones.Tests.Usage;

/// <summary>
/// GPU time per person and day, folded from the session events by the cruiser's pass, against real Garnet and
/// LocalAgones on fake time: what a bill or a quota would read must match the time the runtime was held.
/// </summary>
public sealed class UsageAccountingTests : IAsyncLifetime
{
    private static readonly TimeSpan CheckInterval = QuotaPasses.CheckInterval;
    private readonly CruiserWorld world = new(new Dictionary<string, string?> { ["Usage:Profiles:sd-agones-fleet:GpuCount"] = "2" });

    public Task InitializeAsync() => world.InitializeAsync();

    public Task DisposeAsync() => world.DisposeAsync();

    private UsageLedger Ledger => world.Get<UsageLedger>();

    private async Task<double> TotalAsync(string user) => (await Ledger.PersonAsync(user)).Sum(r => r.GpuSeconds);

    [Fact]
    public async Task Usage_matches_the_bound_time_on_each_day_within_one_check_interval()
    {
        var midnight = UsageCalendar.NextDailyReset(world.Time.GetUtcNow());
        world.Time.SetUtcNow(midnight - TimeSpan.FromMinutes(7));
        var session = await world.AllocateAsync("alice@example.com");

        await world.RunQuotaPassesForAsync(TimeSpan.FromMinutes(4));
        Assert.Equal(2 * 4 * 60, await TotalAsync("alice@example.com"), precision: 3); // the open session, up to now, × 2 GPUs

        await world.RunQuotaPassesForAsync(TimeSpan.FromMinutes(8) + TimeSpan.FromSeconds(30));
        Assert.True(await world.Get<SessionLifecycle>().ReleaseAsync(session, ReleaseReason.GaveBack, CancellationToken.None));
        var held = (world.Time.GetUtcNow() - session.AllocatedAt).TotalSeconds;
        await world.RunQuotaPassesForAsync(CheckInterval);

        var rows = await Ledger.PersonAsync("alice@example.com");
        Assert.Equal([UsageCalendar.DayOf(midnight).AddDays(-1), UsageCalendar.DayOf(midnight)], rows.Select(r => r.Day));
        Assert.Equal(2 * 7 * 60.0, rows[0].GpuSeconds, precision: 3);
        Assert.Equal(2 * (held - 7 * 60), rows[1].GpuSeconds, precision: 3);
        Assert.All(rows, r => Assert.Equal("default", r.Profile)); // no profiles configured: the one default profile (its override still named by its Fleet)
        Assert.InRange(rows.Sum(r => r.GpuSeconds), 2 * (held - CheckInterval.TotalSeconds), 2 * held);

        await world.RunQuotaPassesForAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(2 * held, await TotalAsync("alice@example.com"), precision: 3); // released: no longer growing, never counted twice
    }

    [Fact]
    public async Task Lost_usage_is_rebuilt_from_the_session_events()
    {
        var first = await world.AllocateAsync("bob@example.com");
        await world.RunQuotaPassesForAsync(TimeSpan.FromMinutes(3));
        Assert.True(await world.Get<SessionLifecycle>().ReleaseAsync(first, ReleaseReason.GaveBack, CancellationToken.None));
        var second = await world.AllocateAsync("bob@example.com");
        await world.RunQuotaPassesForAsync(TimeSpan.FromMinutes(2));
        Assert.True(await world.Get<SessionLifecycle>().ReleaseAsync(second, ReleaseReason.Idle, CancellationToken.None));
        await world.RunQuotaPassesForAsync(CheckInterval);
        var before = await Ledger.PersonAsync("bob@example.com");
        Assert.Equal(2 * 5 * 60, before.Sum(r => r.GpuSeconds), precision: 0);

        var db = world.Cache.GetDatabase();
        var keys = (await db.SetMembersAsync(UsageLedger.Index)).Select(k => (RedisKey)(string)k!).Append(UsageLedger.Index).Append(UsageLedger.Cursor).ToArray();
        Assert.True(await db.KeyDeleteAsync(keys) >= 3);
        Assert.Empty(await Ledger.PersonAsync("bob@example.com")); // the loss is real

        Assert.Equal(await world.Get<SessionEventLog>().ReadAsync(null, null) is var all ? all.Count : 0, await Ledger.FoldAsync());
        Assert.Equal(before, await Ledger.PersonAsync("bob@example.com"));
        Assert.Equal(0, await Ledger.FoldAsync());
        Assert.True(await Ledger.RebuildAsync() > 0);
        Assert.Equal(before, await Ledger.PersonAsync("bob@example.com"));
    }
}
