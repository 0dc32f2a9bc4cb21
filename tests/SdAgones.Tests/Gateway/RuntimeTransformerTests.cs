using Microsoft.AspNetCore.Http;
using SdAgones.Gateway.Forwarding;

namespace SdAgones.Tests.Gateway;

/// <summary>A runtime never receives anything that carries the person's identity: no IAP or gateway cookies, no identity headers.</summary>
public sealed class RuntimeTransformerTests
{
    [Fact]
    public async Task Identity_cookies_and_headers_are_stripped_and_the_WebUIs_own_cookies_kept()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("sd.example.com");
        context.Request.Path = "/";
        context.Request.Headers.Cookie = new Microsoft.Extensions.Primitives.StringValues(
        [
            "sd_dev_user=CfDJ8signed; GCP_IAP_UID=10987; access-token=gradio1",
            "__Host-GCP_IAP_AUTH_TOKEN_ABC=secret; GCP_IAP_XSRF_NONCE_x=1; __Secure-GCP_IAP_AUTH_TOKEN=s; theme=dark",
        ]);
        context.Request.Headers["x-goog-iap-jwt-assertion"] = "eyJ.token.sig";
        context.Request.Headers["x-goog-authenticated-user-email"] = "accounts.google.com:alice@example.com";
        context.Request.Headers["X-SdAgones-Dev-User"] = "alice";
        using var proxy = new HttpRequestMessage(HttpMethod.Get, "http://10.0.0.5:7860/");

        await RuntimeTransformer.Instance.TransformRequestAsync(context, proxy, "http://10.0.0.5:7860", CancellationToken.None);

        Assert.Equal("access-token=gradio1; theme=dark", string.Join(" | ", proxy.Headers.GetValues("Cookie")));
        Assert.DoesNotContain(proxy.Headers, h => h.Key.StartsWith("x-goog-", StringComparison.OrdinalIgnoreCase) || h.Key.StartsWith("X-SdAgones-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("https", Assert.Single(proxy.Headers.GetValues("X-Forwarded-Proto")));
    }

    [Fact]
    public async Task A_request_with_only_identity_cookies_reaches_the_runtime_without_a_cookie_header()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Headers.Cookie = "GCP_IAP_UID=1; sd_dev_user=x";
        using var proxy = new HttpRequestMessage(HttpMethod.Get, "http://10.0.0.5:7860/");

        await RuntimeTransformer.Instance.TransformRequestAsync(context, proxy, "http://10.0.0.5:7860", CancellationToken.None);

        Assert.False(proxy.Headers.Contains("Cookie"));
    }
}
