using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using SdAgones.LocalIap;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// The real LocalIap and gateway processes as <c>Platform:Identity=Iap</c> runs them, with Garnet and LocalAgones:
/// LocalIap's JWKS reaches the gateway through a proxy retargeted once LocalIap listens, so both listen on ports the
/// operating system picked.
/// </summary>
public sealed class LocalIapWorld : IAsyncLifetime
{
    public const string Audience = "/projects/0/global/backendServices/local-iap-tests";
    private readonly RedisBackends redis = new();
    private TcpFaultProxy jwksRoute = null!;

    public LocalAgonesHost Agones { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;
    public ServiceProcess Iap { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        jwksRoute = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, FreePort.Next()));
        Agones = await LocalAgonesHost.StartAsync(buffer: 1, max: 4);
        Gateway = ServiceProcess.Start("SdAgones.Gateway", new Dictionary<string, string>
        {
            ["Identity:Mode"] = "Iap",
            ["Identity:Iap:Audience"] = Audience,
            ["Identity:Iap:JwksUrl"] = new Uri(jwksRoute.Url, "/_iap/jwks").ToString(),
            ["Identity:Iap:RefreshMinInterval"] = "00:00:00.100",
            ["ConnectionStrings:cache"] = redis.GarnetEndpoint,
            ["Agones:ApiServer"] = Agones.Url.ToString(),
        });
        await Gateway.WaitUntilHealthyAsync();
        Iap = ServiceProcess.Start("SdAgones.LocalIap", new Dictionary<string, string>
        {
            ["LocalIap:Upstream"] = Gateway.Url.ToString(),
            ["LocalIap:Audience"] = Audience,
        });
        await Iap.WaitUntilHealthyAsync();
        jwksRoute.Retarget(new IPEndPoint(IPAddress.Loopback, Iap.Url.Port));
        await Agones.WaitForReadyAsync(1);
    }

    /// <summary>A browser-like client of LocalIap (cookies kept, redirects not followed), signed in as <paramref name="email"/>.</summary>
    public async Task<(HttpClient Http, CookieContainer Cookies)> SignInAsync(string email)
    {
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = Iap.Url };
        var response = await http.PostAsync("/_iap/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = email, ["returnUrl"] = "/" }));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.NotNull(cookies.GetCookies(Iap.Url)[IapSignInCookie]);
        return (http, cookies);
    }

    public const string IapSignInCookie = "GCP_IAP_LOCAL";

    public async Task DisposeAsync()
    {
        await Iap.DisposeAsync();
        await Gateway.DisposeAsync();
        await jwksRoute.DisposeAsync();
        await Agones.DisposeAsync();
        redis.Dispose();
    }
}

/// <summary>
/// The production identity path run locally: a person signed in at LocalIap is, to the gateway, the email in an ES256
/// token LocalIap signed; a client cannot bring its own IAP headers through it, nor skip it to reach the gateway.
/// </summary>
public sealed class LocalIapTests(LocalIapWorld world) : IClassFixture<LocalIapWorld>
{
    private const string Assertion = "x-goog-iap-jwt-assertion";

    [Fact]
    public async Task A_person_signed_in_at_LocalIap_reaches_their_runtime_and_the_session_names_them()
    {
        var (http, _) = await world.SignInAsync("Carol@Example.com");
        using var _http = http;

        var session = await http.GetAsync("/_sd/api/session");
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        Assert.Equal("carol@example.com", (await session.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetString());

        var options = await Eventually.ReturnsAsync(async () =>
        {
            var r = await http.GetAsync("/sdapi/v1/options");
            return r.StatusCode == HttpStatusCode.OK ? r : null;
        }, TimeSpan.FromSeconds(60), "carol's runtime through LocalIap");
        Assert.Contains("outdir_txt2img_samples", await options.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await world.Agones.ListAsync(), s => s.State == GameServerState.Allocated && s.AllocatedUser == "carol@example.com");
    }

    [Fact]
    public async Task Without_the_LocalIap_cookie_a_browser_is_sent_to_sign_in_and_an_API_client_gets_401()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = world.Iap.Url };
        using var page = new HttpRequestMessage(HttpMethod.Get, "/sdapi/v1/options?x=1");
        page.Headers.Accept.ParseAdd("text/html");
        var redirected = await anonymous.SendAsync(page);
        var refused = await anonymous.GetAsync("/_sd/api/session");
        var (http, _) = await world.SignInAsync("erin@example.com");
        using var _http = http;
        var control = await http.GetAsync("/_sd/api/session");

        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.Equal("/_iap/signin?returnUrl=%2Fsdapi%2Fv1%2Foptions%3Fx%3D1", redirected.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("sign in at /_iap/signin", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
        Assert.Equal("erin@example.com", (await control.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetString());
    }

    [Fact]
    public async Task IAP_headers_a_client_sends_through_LocalIap_are_removed_and_never_its_identity()
    {
        var (http, _) = await world.SignInAsync("dave@example.com");
        using var _http = http;
        using var forger = new IapSigner(); // a key of the client's own, with a token naming someone else
        var forged = forger.Token(LocalIapWorld.Audience, "mallory@example.com", DateTimeOffset.UtcNow);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_sd/api/session");
        request.Headers.Add(Assertion, forged);
        request.Headers.Add("x-goog-authenticated-user-email", "accounts.google.com:mallory@example.com");

        var response = await http.SendAsync(request);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("dave@example.com", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetString());
    }

    [Fact]
    public async Task Straight_to_the_gateway_without_a_token_is_401_while_the_same_person_through_LocalIap_gets_200()
    {
        using var direct = new HttpClient { BaseAddress = world.Gateway.Url };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_sd/api/session");
        request.Headers.Add("x-goog-authenticated-user-email", "accounts.google.com:frank@example.com");
        var refused = await direct.SendAsync(request);
        var (http, _) = await world.SignInAsync("frank@example.com");
        using var _http = http;
        var control = await http.GetAsync("/_sd/api/session");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("unsigned IAP email header is not accepted", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, control.StatusCode);
        Assert.Equal("frank@example.com", (await control.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetString());
    }

    [Fact]
    public async Task A_WebSocket_upgrade_goes_through_LocalIap_to_the_runtime()
    {
        var (http, cookies) = await world.SignInAsync("grace@example.com");
        using var _http = http;
        await Eventually.HoldsAsync(async () => (await http.GetAsync("/sdapi/v1/options")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "grace's runtime through LocalIap");
        string[] upgrade =
        [
            "GET /queue/join HTTP/1.1", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", $"Origin: http://{world.Iap.Url.Authority}",
        ];

        var anonymous = await RawHttp.SendAsync(world.Iap.Url, upgrade);
        var accepted = await RawHttp.SendAsync(world.Iap.Url, [.. upgrade, "Cookie: " + cookies.GetCookieHeader(world.Iap.Url)]);

        Assert.True(anonymous.Status == 401, anonymous.ToString());
        Assert.True(accepted.Status == 101, accepted.ToString());
    }

    [Fact]
    public async Task An_upload_above_Kestrels_default_30_MB_limit_streams_through_LocalIap_to_the_runtime()
    {
        var (http, _) = await world.SignInAsync("ivan@example.com");
        using var _http = http;
        await Eventually.HoldsAsync(async () => (await http.GetAsync("/sdapi/v1/options")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "ivan's runtime through LocalIap");
        var bytes = new byte[(40 * 1024 * 1024) + 7];
        Random.Shared.NextBytes(bytes);

        using var response = await http.PostAsync("/upload?name=large.safetensors", new ByteArrayContent(bytes));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var stored = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(bytes.Length, stored.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), stored.GetProperty("sha256").GetString(), ignoreCase: true);
    }

    [Fact]
    public async Task The_JWKS_is_in_IAPs_format()
    {
        using var http = new HttpClient { BaseAddress = world.Iap.Url };
        var key = (await http.GetFromJsonAsync<JsonElement>("/_iap/jwks")).GetProperty("keys").EnumerateArray().Single();

        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.StartsWith("local-iap-", key.GetProperty("kid").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>The AppHost with <c>Platform:Identity=Iap</c>: LocalIap in front, the gateway in IAP mode behind it.</summary>
public sealed class AppHostIapWorld : IAsyncLifetime
{
    private readonly string storage = Directory.CreateTempSubdirectory("sdagones-apphost-iap-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SdAgones_AppHost>(
        [
            "Platform:Identity=Iap",
            "Platform:GatewayPort=0",
            "Platform:LocalAgonesPort=0",
            "Platform:FleetBuffer=1",
            "Platform:FleetMinReplicas=1",
            "Platform:FleetMaxReplicas=2",
            $"Platform:StorageRoot={storage}",
        ], cts.Token);
        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        foreach (var resource in new[] { "garnet", "localagones", "gateway", "localiap" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(storage, recursive: true);
        }
        catch (IOException)
        {
            // runtimes may still be stopping
        }
    }
}

/// <summary><c>Platform:Identity=Iap</c> wires LocalIap and the gateway so that only LocalIap's signed token is an identity.</summary>
public sealed class LocalIapAppHostTests(AppHostIapWorld world) : IClassFixture<AppHostIapWorld>
{
    [Fact]
    public async Task With_Platform_Identity_Iap_a_person_signed_in_at_LocalIap_is_named_and_the_dev_header_straight_to_the_gateway_is_not()
    {
        var iap = world.App.GetEndpoint("localiap", "http");
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = iap };
        var signIn = await http.PostAsync("/_iap/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "heidi@example.com", ["returnUrl"] = "/" }));
        var session = await http.GetAsync("/_sd/api/session");
        using var direct = new HttpClient { BaseAddress = world.App.GetEndpoint("gateway", "http") };
        using var devHeader = new HttpRequestMessage(HttpMethod.Get, "/_sd/api/session");
        devHeader.Headers.Add("X-SdAgones-Dev-User", "heidi@example.com");
        var refused = await direct.SendAsync(devHeader);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        Assert.Equal("heidi@example.com", (await session.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("no IAP token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
