using System.Globalization;
using System.Net;
using System.Text.Json;
using SdAgones.Runtimes.Usage;
using SdAgones.Tests.Faults;
using SdAgones.Tests.Infrastructure;
using StackExchange.Redis;

namespace SdAgones.Tests.Usage;

/// <summary>
/// The quota as people meet it through a real gateway process (real Garnet, LocalAgones): 429 with <c>Retry-After</c>
/// and the figures at the quota, a page for browsers, a notice before it, an admin extension that lets the person back
/// in, the usage export and pages.
/// </summary>
public sealed class QuotaGatewayTests : IAsyncLifetime
{
    private FaultWorld world = null!;
    private ServiceProcess gateway = null!;

    public async Task InitializeAsync()
    {
        world = await FaultWorld.StartAsync(buffer: 2, max: 4);
        gateway = await world.StartGatewayAsync(("Usage:DailyQuota", "01:00:00"), ("Usage:QuotaNotice", "00:10:00"));
    }

    public async Task DisposeAsync() => await world.DisposeAsync();

    private async Task UsedTodayAsync(string user, TimeSpan gpuTime)
    {
        using var cache = await ConnectionMultiplexer.ConnectAsync(world.CacheEndpoint);
        var day = UsageCalendar.Name(UsageCalendar.DayOf(DateTimeOffset.UtcNow));
        await cache.GetDatabase().HashSetAsync(UsageLedger.PersonKey(user), day + "|sd-agones-fleet", gpuTime.TotalSeconds);
        await cache.GetDatabase().HashSetAsync(UsageLedger.DayKey(UsageCalendar.DayOf(DateTimeOffset.UtcNow)), "sd-agones-fleet|" + user, gpuTime.TotalSeconds);
    }

    [Fact]
    public async Task A_person_at_their_quota_gets_429_until_the_reset_and_an_admin_extension_lets_them_back_in()
    {
        await UsedTodayAsync("quota-alice", TimeSpan.FromHours(2));
        await UsedTodayAsync("quota-carol", TimeSpan.FromMinutes(55));
        using var alice = FaultWorld.Client(gateway, "quota-alice");
        using var aliceBrowser = FaultWorld.Client(gateway, "quota-alice", html: true);
        using var bob = FaultWorld.Client(gateway, "quota-bob");
        using var carol = FaultWorld.Client(gateway, "quota-carol");
        using var admin = FaultWorld.Client(gateway, "admin");

        var asked = DateTimeOffset.UtcNow;
        var refused = await alice.GetAsync("/sdapi/v1/cmd-flags");
        var body = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)refused.StatusCode} {body}");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var reset = UsageCalendar.NextDailyReset(asked);
        var retryAfter = refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero;
        Assert.InRange(retryAfter, reset - DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1), reset - asked + TimeSpan.FromSeconds(1)); // until the reset
        using (var problem = JsonDocument.Parse(body))
        {
            var p = problem.RootElement;
            Assert.Equal("quota_exceeded", p.GetProperty("error").GetString());
            Assert.Equal(7200, p.GetProperty("usedSeconds").GetDouble());
            Assert.Equal(3600, p.GetProperty("limitSeconds").GetDouble());
            Assert.Equal(reset, p.GetProperty("resetAt").GetDateTimeOffset());
            Assert.Contains("You used 2 h 00 min of GPU time today; your daily limit is 1 h 00 min.", p.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var page = await aliceBrowser.GetAsync("/");
        Assert.Equal(HttpStatusCode.TooManyRequests, page.StatusCode);
        Assert.Contains("Your GPU time is used up", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(page.Headers.RetryAfter);

        await RuntimeProbe.WaitForRuntimeAsync(bob, "bob's runtime (no usage: not refused)");

        using (var session = JsonDocument.Parse(await carol.GetStringAsync("/_sd/api/session")))
        {
            Assert.StartsWith("Your GPU time ends in 5 min", session.RootElement.GetProperty("notice").GetString(), StringComparison.Ordinal);
        }

        using (var session = JsonDocument.Parse(await bob.GetStringAsync("/_sd/api/session")))
        {
            Assert.Equal(JsonValueKind.Null, session.RootElement.GetProperty("notice").ValueKind); // far from the limit: no notice
        }

        var notAdmin = await bob.PostAsync("/_sd/api/admin/usage/quota-alice/extension?minutes=90", null);
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        var bad = await admin.PostAsync("/_sd/api/admin/usage/quota-alice/extension?minutes=lots", null);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("minutes must be a whole number from 1 to 10080", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await alice.GetAsync("/sdapi/v1/cmd-flags")).StatusCode); // still refused

        var granted = await admin.PostAsync("/_sd/api/admin/usage/quota-alice/extension?minutes=90", null);
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        using (var status = JsonDocument.Parse(await granted.Content.ReadAsStringAsync()))
        {
            Assert.False(status.RootElement.GetProperty("exceeded").GetBoolean());
            Assert.Equal(1800, status.RootElement.GetProperty("leftSeconds").GetDouble(), precision: 0);
        }

        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime after the extension");

        var csv = await admin.GetStringAsync("/_sd/api/admin/usage?format=csv");
        Assert.StartsWith(UsageExport.CsvHeader + "\n", csv, StringComparison.Ordinal);
        Assert.Contains($"\n{UsageCalendar.Name(UsageCalendar.DayOf(DateTimeOffset.UtcNow))},quota-carol,default,3300\n", csv, StringComparison.Ordinal); // usage stored under the Fleet name (before profiles) exports as its profile
        var badFormat = await admin.GetAsync("/_sd/api/admin/usage?format=xml");
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Contains("format must be jsonl or csv, got 'xml'", await badFormat.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.GetAsync("/_sd/api/admin/usage?format=csv")).StatusCode);

        var mine = await FaultWorld.Client(gateway, "quota-carol", html: true).GetStringAsync("/_sd/");
        Assert.Contains("id=\"my-usage\"", mine, StringComparison.Ordinal);
        Assert.Equal(14, mine.Split("<rect class=\"bar\"").Length - 1);
        Assert.Contains("Your GPU time ends in", mine, StringComparison.Ordinal);
        var adminPage = await FaultWorld.Client(gateway, "admin", html: true).GetStringAsync("/_sd/admin/usage");
        Assert.Contains("quota-alice", adminPage, StringComparison.Ordinal);
        Assert.Contains("/_sd/api/admin/usage?format=csv", adminPage, StringComparison.Ordinal);
        Assert.Contains("href=\"/_sd/admin/usage\"", await FaultWorld.Client(gateway, "admin", html: true).GetStringAsync("/_sd/admin"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restarting_gateway_and_cruiser_loses_no_usage()
    {
        var cruiser = await world.StartCruiserAsync();
        using var dora = FaultWorld.Client(gateway, "usage-dora");
        using var admin = FaultWorld.Client(gateway, "admin");
        await RuntimeProbe.WaitForRuntimeAsync(dora, "dora's runtime");
        await Task.Delay(TimeSpan.FromSeconds(2)); // GPU time to count: the runtime is held for real seconds
        Assert.Equal(HttpStatusCode.OK, (await dora.PostAsync("/_sd/api/session/release", null)).StatusCode);
        var before = DoraSeconds(await admin.GetStringAsync("/_sd/api/admin/usage?format=csv"));
        Assert.InRange(before, 2, 120);

        await gateway.DisposeAsync();
        await cruiser.DisposeAsync();
        var gateway2 = await world.StartGatewayAsync(("Usage:DailyQuota", "01:00:00"));
        await world.StartCruiserAsync();
        using var admin2 = FaultWorld.Client(gateway2, "admin");
        Assert.Equal(before, DoraSeconds(await admin2.GetStringAsync("/_sd/api/admin/usage?format=csv")));

        using (var cache = await ConnectionMultiplexer.ConnectAsync(world.CacheEndpoint))
        {
            var db = cache.GetDatabase();
            var keys = (await db.SetMembersAsync(UsageLedger.Index)).Select(k => (RedisKey)(string)k!).Append(UsageLedger.Index).Append(UsageLedger.Cursor).ToArray();
            Assert.True(await db.KeyDeleteAsync(keys) >= 2); // the usage keys are lost; the events are not
        }

        Assert.Equal(before, DoraSeconds(await admin2.GetStringAsync("/_sd/api/admin/usage?format=csv")));
    }

    private static double DoraSeconds(string csv) =>
        csv.Split('\n').Where(l => l.Contains(",usage-dora,", StringComparison.Ordinal))
            .Sum(l => double.Parse(l.Split(',')[3], CultureInfo.InvariantCulture));
}
