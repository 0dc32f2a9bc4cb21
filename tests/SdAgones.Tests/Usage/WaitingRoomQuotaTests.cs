using System.Net;
using System.Text.Json;
using SdAgones.Runtimes.Usage;
using SdAgones.Tests.Faults;
using SdAgones.Tests.Infrastructure;
using StackExchange.Redis;

namespace SdAgones.Tests.Usage;

/// <summary>
/// The waiting room through a real gateway process (real Garnet, LocalAgones with one runtime, held by someone else):
/// a person near their GPU time quota sees the quota notice while they wait, and with fair share on the page says why
/// the line is not first come, first served.
/// </summary>
public sealed class WaitingRoomQuotaTests : IAsyncLifetime
{
    private const string FairShareReason = "People who used less GPU time recently go first.";
    private FaultWorld world = null!;

    public async Task InitializeAsync() => world = await FaultWorld.StartAsync(buffer: 1, max: 1);

    public async Task DisposeAsync() => await world.DisposeAsync();

    private async Task UsedTodayAsync(string user, TimeSpan gpuTime)
    {
        using var cache = await ConnectionMultiplexer.ConnectAsync(world.CacheEndpoint);
        var today = UsageCalendar.DayOf(DateTimeOffset.UtcNow);
        await cache.GetDatabase().HashSetAsync(UsageLedger.PersonKey(user), UsageCalendar.Name(today) + "|sd-agones-fleet", gpuTime.TotalSeconds);
        await cache.GetDatabase().HashSetAsync(UsageLedger.DayKey(today), "sd-agones-fleet|" + user, gpuTime.TotalSeconds);
    }

    private static async Task<JsonElement> WaitingAsync(HttpClient client)
    {
        var response = await client.GetAsync("/sdapi/v1/cmd-flags");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<string> WaitingPageAsync(HttpClient browser)
    {
        var response = await browser.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {html}");
        Assert.Contains("Your place in the queue", html, StringComparison.Ordinal);
        return html;
    }

    [Fact]
    public async Task A_waiting_person_near_their_quota_sees_the_notice_and_fair_share_says_why_the_order_is_not_first_come()
    {
        var gateway = await world.StartGatewayAsync(("Usage:DailyQuota", "01:00:00"), ("Usage:QuotaNotice", "00:10:00"), ("Usage:FairShare", "true"));
        using var holder = FaultWorld.Client(gateway, "wait-holder");
        await RuntimeProbe.WaitForRuntimeAsync(holder, "the holder's runtime (the only one)");
        await UsedTodayAsync("wait-carol", TimeSpan.FromMinutes(55));
        using var carol = FaultWorld.Client(gateway, "wait-carol");
        using var erin = FaultWorld.Client(gateway, "wait-erin");

        var carolWaits = await WaitingAsync(carol);
        Assert.Equal("queued", carolWaits.GetProperty("stage").GetString());
        Assert.StartsWith("Your GPU time ends in 5 min", carolWaits.GetProperty("quotaNotice").GetString(), StringComparison.Ordinal);
        Assert.Equal(FairShareReason, carolWaits.GetProperty("order").GetString());
        var erinWaits = await WaitingAsync(erin);
        Assert.Equal("queued", erinWaits.GetProperty("stage").GetString());
        Assert.Equal(JsonValueKind.Null, erinWaits.GetProperty("quotaNotice").ValueKind); // no usage: no notice

        var carolPage = await WaitingPageAsync(FaultWorld.Client(gateway, "wait-carol", html: true));
        Assert.Contains("<p class=\"notice\" id=\"quota-notice\">Your GPU time ends in 5 min", carolPage, StringComparison.Ordinal);
        Assert.Contains($"<p class=\"muted\" id=\"order\">{FairShareReason}</p>", carolPage, StringComparison.Ordinal);
        var erinPage = await WaitingPageAsync(FaultWorld.Client(gateway, "wait-erin", html: true));
        Assert.Contains("<p class=\"notice\" id=\"quota-notice\" hidden></p>", erinPage, StringComparison.Ordinal);

        // Fair share off: first come, first served, and the page gives no reason.
        var plain = await world.StartGatewayAsync(("Usage:DailyQuota", "01:00:00"), ("Usage:FairShare", "false"));
        Assert.Equal("First come, first served.", (await WaitingAsync(FaultWorld.Client(plain, "wait-erin"))).GetProperty("order").GetString());
        var plainPage = await WaitingPageAsync(FaultWorld.Client(plain, "wait-erin", html: true));
        Assert.DoesNotContain("id=\"order\"", plainPage, StringComparison.Ordinal);
        Assert.DoesNotContain(FairShareReason, plainPage, StringComparison.Ordinal);
    }
}
