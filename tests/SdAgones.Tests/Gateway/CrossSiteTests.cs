using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// Another site's page cannot act through a signed-in person's browser: state-changing requests and WebSocket
/// upgrades with a foreign <c>Origin</c> (or <c>null</c>) or <c>Sec-Fetch-Site: cross-site</c> are refused with 403
/// and a reason, while the same requests from the platform's own pages or from scripts (no Origin) still work.
/// </summary>
[Trait("Category", "Faults")]
public sealed class CrossSiteTests(DevGatewayWorld world) : IClassFixture<DevGatewayWorld>
{
    private Uri Gateway => world.Gateway.Url;
    private string OwnOrigin => $"http://{Gateway.Authority}";

    public static TheoryData<string> ForeignOrigins() => ["Origin: https://evil.example", "Origin: null", "Sec-Fetch-Site: cross-site", $"Origin: http://localhost.evil.example"];

    [Theory, MemberData(nameof(ForeignOrigins))]
    public async Task A_cross_site_WebSocket_to_the_queue_is_refused_and_a_same_site_one_is_accepted(string foreign)
    {
        var person = "ws";
        using var client = FaultWorldClient(person);
        await RuntimeProbe.WaitForRuntimeAsync(client, person + "'s runtime");

        var refused = await RawHttp.SendAsync(Gateway, [.. Upgrade(person), foreign]);
        var accepted = await RawHttp.SendAsync(Gateway, [.. Upgrade(person), $"Origin: {OwnOrigin}", "Sec-Fetch-Site: same-origin"]);
        var script = await RawHttp.SendAsync(Gateway, Upgrade(person));

        Assert.True(refused.Status == 403, refused.ToString());
        Assert.Contains("WebSocket connections from another site's page are refused", refused.Detail(), StringComparison.Ordinal);
        Assert.True(accepted.Status == 101, accepted.ToString());
        Assert.True(script.Status == 101, script.ToString());
    }

    [Theory]
    [InlineData("Origin: https://evil.example")]
    [InlineData("Origin: null")]
    [InlineData("Sec-Fetch-Site: cross-site")]
    public async Task A_cross_site_text_plain_POST_of_options_is_refused_and_the_setting_stays(string foreign)
    {
        var person = "opts";
        using var client = FaultWorldClient(person);
        await RuntimeProbe.WaitForRuntimeAsync(client, person + "'s runtime");
        var before = await PatternAsync(client);
        var wanted = "[seed]-" + Guid.NewGuid().ToString("N")[..8];
        var body = Encoding.UTF8.GetBytes($$"""{"localization":"{{wanted}}"}""");

        var refused = await RawHttp.SendAsync(Gateway,
            ["POST /sdapi/v1/options HTTP/1.1", $"X-SdAgones-Dev-User: {person}", "Content-Type: text/plain", $"Content-Length: {body.Length}", foreign], body);

        Assert.True(refused.Status == 403, refused.ToString());
        Assert.Contains("POST requests from another site's page are refused", refused.Detail(), StringComparison.Ordinal);
        Assert.Equal(before, await PatternAsync(client));

        var own = await RawHttp.SendAsync(Gateway,
            ["POST /sdapi/v1/options HTTP/1.1", $"X-SdAgones-Dev-User: {person}", "Content-Type: application/json", $"Content-Length: {body.Length}", $"Origin: {OwnOrigin}"], body);
        Assert.True(own.Status == 200, own.ToString());
        Assert.Equal(wanted, await PatternAsync(client));
    }

    [Fact]
    public async Task A_foreign_page_cannot_sign_a_person_in_or_out()
    {
        var form = Encoding.ASCII.GetBytes("name=mallory&returnUrl=%2F_sd%2F");
        string[] signIn = ["POST /_sd/signin HTTP/1.1", "Content-Type: application/x-www-form-urlencoded", $"Content-Length: {form.Length}"];

        var foreignIn = await RawHttp.SendAsync(Gateway, [.. signIn, "Origin: https://evil.example"], form);
        var foreignOut = await RawHttp.SendAsync(Gateway, ["POST /_sd/signout HTTP/1.1", "Content-Length: 0", "Sec-Fetch-Site: cross-site", "Cookie: sd_dev_user=x"]);
        var ownIn = await RawHttp.SendAsync(Gateway, [.. signIn, $"Origin: {OwnOrigin}", "Sec-Fetch-Site: same-origin"], form);
        var ownOut = await RawHttp.SendAsync(Gateway, ["POST /_sd/signout HTTP/1.1", "Content-Length: 0", $"Origin: {OwnOrigin}", "Cookie: sd_dev_user=x"]);

        Assert.True(foreignIn.Status == 403, foreignIn.ToString());
        Assert.Null(foreignIn.Header("Set-Cookie"));
        Assert.True(foreignOut.Status == 403, foreignOut.ToString());
        Assert.Null(foreignOut.Header("Set-Cookie"));
        Assert.True(ownIn.Status == 302, ownIn.ToString());
        Assert.StartsWith("sd_dev_user=", ownIn.Header("Set-Cookie"), StringComparison.Ordinal);
        Assert.Equal("/_sd/", ownIn.Header("Location"));
        Assert.True(ownOut.Status == 302, ownOut.ToString());
        Assert.StartsWith("sd_dev_user=;", ownOut.Header("Set-Cookie"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cross_site_give_back_is_refused_and_the_same_without_origin_works()
    {
        using var client = FaultWorldClient("giver");
        await RuntimeProbe.WaitForRuntimeAsync(client, "giver's runtime");
        string[] release = ["POST /_sd/api/session/release HTTP/1.1", "X-SdAgones-Dev-User: giver", "Content-Length: 0"];

        var refused = await RawHttp.SendAsync(Gateway, [.. release, "Origin: https://evil.example"]);
        Assert.True(refused.Status == 403, refused.ToString());
        Assert.NotNull((await client.GetFromJsonAsync<JsonElement>("/_sd/api/session")).GetProperty("runtime").GetString());

        var released = await RawHttp.SendAsync(Gateway, release);
        Assert.True(released.Status == 200, released.ToString());
        Assert.True(JsonDocument.Parse(released.Body).RootElement.GetProperty("released").GetBoolean());
    }

    [Theory]
    [InlineData("/_sd/signin")]
    [InlineData("/_sd/")]
    [InlineData("/_sd/api/session")]
    public async Task The_gateways_own_pages_cannot_be_framed_by_other_sites(string path)
    {
        using var client = FaultWorldClient("framed", html: true);

        var response = await client.GetAsync(path);

        Assert.Equal("frame-ancestors 'self'", string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("SAMEORIGIN", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
    }

    private HttpClient FaultWorldClient(string person, bool html = false) => GatewayClient.For(Gateway, person, html);

    private static string[] Upgrade(string person) =>
    [
        "GET /queue/join HTTP/1.1", $"X-SdAgones-Dev-User: {person}", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ];

    private static async Task<string?> PatternAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/sdapi/v1/options")).GetProperty("localization").GetString();
}
