using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// The gateway's own answers around the pages, against a real gateway process: the favicon every browser asks for,
/// and the session API telling a person what happens next in each state, in the same words as their next page.
/// </summary>
public sealed class GatewayPagesTests(DevGatewayWorld world) : IClassFixture<DevGatewayWorld>
{
    private const string NoRuntime = "You have no runtime; your next request to your WebUI starts one.";
    private const string GaveBack = "You gave your runtime back; your next request starts a new one.";

    [Fact]
    public async Task The_favicon_answers_everyone_with_an_icon_and_allocates_no_runtime()
    {
        using var stranger = FaultWorldClient(null);
        using var person = FaultWorldClient("favicon-fan");

        foreach (var client in new[] { stranger, person })
        {
            var icon = await client.GetAsync("/favicon.ico");
            Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
            Assert.Equal("image/x-icon", icon.Content.Headers.ContentType?.MediaType);
            var bytes = await icon.Content.ReadAsByteArrayAsync();
            Assert.Equal(new byte[] { 0, 0, 1, 0, 1, 0, 16, 16 }, bytes[..8]); // ICO header: one 16×16 image
        }

        Assert.DoesNotContain(await world.World.AllocatedAsync(), s => s.AllocatedUser == "favicon-fan");
        Assert.Equal("none", (await person.GetFromJsonAsync<JsonElement>("/_sd/api/session")).GetProperty("state").GetString());

        // The controls: the same stranger is refused the WebUI, and the same person's WebUI request does get a runtime.
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/sdapi/v1/options")).StatusCode);
        await RuntimeProbe.WaitForRuntimeAsync(person, "favicon-fan's runtime");
        Assert.Contains(await world.World.AllocatedAsync(), s => s.AllocatedUser == "favicon-fan");
    }

    [Fact]
    public async Task The_session_API_says_what_happens_next_before_with_and_after_giving_back_a_runtime()
    {
        using var client = FaultWorldClient("next-nora");

        var before = await client.GetFromJsonAsync<JsonElement>("/_sd/api/session");
        Assert.Equal("none", before.GetProperty("state").GetString());
        Assert.Equal(NoRuntime, before.GetProperty("next").GetString());

        var runtime = await RuntimeProbe.WaitForRuntimeAsync(client, "next-nora's runtime");
        var with = await client.GetFromJsonAsync<JsonElement>("/_sd/api/session");
        Assert.Equal("ready", with.GetProperty("state").GetString());
        Assert.Equal(
            "Your runtime stays yours while you use it; after 15 minutes without activity it is given back, and your next request then starts a new one.",
            with.GetProperty("next").GetString());

        var released = await (await client.PostAsync("/_sd/api/session/release", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(released.GetProperty("released").GetBoolean());
        Assert.Equal(runtime, released.GetProperty("runtime").GetString());
        Assert.Equal(GaveBack, released.GetProperty("next").GetString());

        var after = await client.GetFromJsonAsync<JsonElement>("/_sd/api/session");
        Assert.Equal("none", after.GetProperty("state").GetString());
        Assert.Equal(NoRuntime, after.GetProperty("next").GetString());
        Assert.Equal(GaveBack, after.GetProperty("notice").GetString());

        using var browser = FaultWorldClient("next-nora", html: true);
        var page = await browser.GetStringAsync("/_sd/");
        Assert.Contains(GaveBack, page, StringComparison.Ordinal);
        Assert.Contains(NoRuntime, page, StringComparison.Ordinal);
    }

    private HttpClient FaultWorldClient(string? person, bool html = false) => GatewayClient.For(world.Gateway.Url, person, html);
}
