using System.Net;
using System.Text;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// Development sign-in takes only same-site paths as redirect targets and answers malformed input with a 400 and a
/// plain message, never a 500 or a stack trace.
/// </summary>
[Trait("Category", "Faults")]
public sealed class DevSignInTests(DevGatewayWorld world) : IClassFixture<DevGatewayWorld>
{
    public static TheoryData<string> OffSiteTargets() =>
    [
        "/\t/evil.example", "/%09/evil.example", "//evil.example", "/\\evil.example", "/%2F/evil.example", "/%5Cevil.example",
        "https://evil.example/", "/a\r\nLocation: https://evil.example", "/caf\u00e9", " /x", "",
    ];

    [Theory, MemberData(nameof(OffSiteTargets))]
    public async Task Signing_in_with_a_return_url_off_this_site_is_a_400_and_sets_no_cookie(string returnUrl)
    {
        var response = await PostFormAsync($"name=carol&returnUrl={Uri.EscapeDataString(returnUrl)}");

        Assert.True(response.Status == 400, response.ToString());
        Assert.Contains("returnUrl must be a path on this site", response.Detail(), StringComparison.Ordinal);
        Assert.Null(response.Header("Set-Cookie"));
    }

    [Theory]
    [InlineData("/_sd/admin?tab=sessions")]
    [InlineData("/file=outputs/a%20b.png")]
    public async Task Signing_in_with_a_path_on_this_site_redirects_there(string returnUrl)
    {
        var response = await PostFormAsync($"name=carol&returnUrl={Uri.EscapeDataString(returnUrl)}");

        Assert.True(response.Status == 302, response.ToString());
        Assert.Equal(returnUrl, response.Header("Location"));
        Assert.StartsWith("sd_dev_user=", response.Header("Set-Cookie"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sign_in_page_reached_by_an_off_site_link_posts_back_to_the_persons_own_page()
    {
        using var client = GatewayClient.For(world.Gateway.Url, user: null, html: true);

        var page = await client.GetStringAsync("/_sd/signin?returnUrl=/%09/evil.example");
        var own = await client.GetStringAsync("/_sd/signin?returnUrl=/_sd/admin");

        Assert.Contains("name=\"returnUrl\" value=\"/\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"returnUrl\" value=\"/_sd/admin\"", own, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_JSON_body_is_a_400_with_a_plain_message()
    {
        var body = Encoding.UTF8.GetBytes("""{"name":"carol","returnUrl":"/"}""");

        var response = await RawHttp.SendAsync(world.Gateway.Url, ["POST /_sd/signin HTTP/1.1", "Content-Type: application/json", $"Content-Length: {body.Length}"], body);

        Assert.True(response.Status == 400, response.ToString());
        Assert.Contains("sign in with a form", response.Detail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ten_megabyte_form_is_a_400_with_a_plain_message()
    {
        var start = Encoding.ASCII.GetBytes("returnUrl=%2F&name=" + new string('a', 64 * 1024));

        var response = await RawHttp.SendAsync(world.Gateway.Url,
            ["POST /_sd/signin HTTP/1.1", "Content-Type: application/x-www-form-urlencoded", $"Content-Length: {10 * 1024 * 1024}"], start);

        Assert.True(response.Status == 400, response.ToString());
        Assert.Contains("the sign-in form could not be read", response.Detail(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name=car%00ol&returnUrl=%2F", "the sign-in form could not be read")]
    [InlineData("name=%ff%fe%00&returnUrl=%2F", "the sign-in form could not be read")]
    [InlineData("name=carol&returnUrl=%2Fa%00b", "the sign-in form could not be read")]
    [InlineData("name=carol&name=mallory&returnUrl=%2F", "That name cannot be used")]
    [InlineData("name=car%20ol%3Cb%3E&returnUrl=%2F", "That name cannot be used")]
    public async Task Malformed_sign_in_input_is_a_400_with_a_plain_message_and_no_cookie(string form, string message)
    {
        var response = await PostFormAsync(form);

        Assert.True(response.Status == 400, response.ToString());
        Assert.Contains(message, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", response.Body, StringComparison.Ordinal);
        Assert.Null(response.Header("Set-Cookie"));
    }

    [Fact]
    public async Task The_runtime_page_sends_strangers_to_sign_in_with_an_ascii_return_path()
    {
        using var client = GatewayClient.For(world.Gateway.Url, user: null, html: true);

        var response = await client.GetAsync("/caf\u00e9?q=%C3%A9");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/_sd/signin?returnUrl=" + Uri.EscapeDataString("/caf%C3%A9?q=%C3%A9"), response.Headers.Location!.OriginalString);
    }

    private Task<RawHttp.Response> PostFormAsync(string form)
    {
        var body = Encoding.ASCII.GetBytes(form);
        return RawHttp.SendAsync(world.Gateway.Url,
            ["POST /_sd/signin HTTP/1.1", "Content-Type: application/x-www-form-urlencoded", $"Content-Length: {body.Length}"], body);
    }
}
