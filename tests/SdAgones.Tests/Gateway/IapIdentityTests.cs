using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// In production mode only a valid IAP token is an identity. Each forgery is sent over a raw socket (so a header
/// line sent twice stays two lines) in the name of its own person, must get 401 with its own reason and no runtime,
/// while the same person with a valid token is let in.
/// </summary>
public sealed class IapIdentityTests(IapWorld world) : IClassFixture<IapWorld>
{
    private const string Assertion = "x-goog-iap-jwt-assertion";

    /// <summary>Each forgery and the reason the gateway must give for refusing it.</summary>
    private static readonly (string Name, string Reason)[] Cases =
    [
        ("no token", "no IAP token (x-goog-iap-jwt-assertion)"),
        ("only the plain IAP email header", "unsigned IAP email header is not accepted"),
        ("alg none", "must be signed with ES256, not none"),
        ("HS256 signed with the public key", "must be signed with ES256, not HS256"),
        ("unknown kid", "signed with an unknown key"),
        ("known kid but another key", "signature is invalid"),
        ("wrong audience", "for another audience"),
        ("audience as an array", "for another audience"),
        ("wrong issuer", "wrong issuer"),
        ("expired", "has expired"),
        ("issued in the future", "issue time (iat) is in the future"),
        ("iat of 10^15", "issue time (iat) is missing or not a NumericDate"),
        ("iat as a string", "issue time (iat) is missing or not a NumericDate"),
        ("exp of 10^15", "expiry (exp) is missing or not a NumericDate"),
        ("nbf an hour ahead", "not valid yet (nbf is in the future)"),
        ("nbf as a string", "not-before time (nbf) is not a NumericDate"),
        ("no expiry", "expiry (exp) is missing"),
        ("tampered payload", "signature is invalid"),
        ("truncated token", "signature is invalid"),
        ("token in the Authorization header", "no IAP token (x-goog-iap-jwt-assertion)"),
        ("token sent twice as two header lines", "more than one IAP token"),
        ("token sent twice in one folded line", "more than one IAP token"),
        ("empty email", "email is empty or not an address"),
        ("email not a string", "email must be a string, not number"),
        ("email an array", "email must be a string, not array"),
        ("email twice in the payload", "without repeated members"),
        ("email with a NUL", "email is empty or not an address"),
        ("no email", "carries no email"),
        ("unknown crit header", "critical header parameters (crit)"),
        ("kid not a string", "no key id (kid)"),
        ("header an array", "must be JSON objects"),
        ("garbage", "malformed"),
        ("ES384", "must be signed with ES256, not ES384"),
        ("RS256", "must be signed with ES256, not RS256"),
        ("dev header in Iap mode", "no IAP token (x-goog-iap-jwt-assertion)"),
        ("no kid", "no key id (kid)"),
    ];

    public static TheoryData<string> Forgeries() => [.. Cases.Select(c => c.Name)];

    private static string PersonFor(string forgery) => $"forgery-{Array.FindIndex(Cases, c => c.Name == forgery)}@example.com";

    /// <summary>The extra header lines of a forged request in <paramref name="person"/>'s name.</summary>
    private List<string> Forge(string name, string person)
    {
        var email = JsonSerializer.Serialize(person);
        var lines = new List<string>();
        void Assert(string token) => lines.Add($"{Assertion}: {token}");
        string Signed(params (string, string)[] replace) => world.Signed(world.Header, IapWorld.Payload(email, replace));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        switch (name)
        {
            case "no token":
                break;
            case "only the plain IAP email header":
                lines.Add("x-goog-authenticated-user-email: accounts.google.com:" + person);
                break;
            case "alg none":
                Assert(IapWorld.Raw(new { alg = "none", typ = "JWT", kid = world.KeyId }, IapWorld.StandardPayload(person)));
                break;
            case "HS256 signed with the public key":
                var pub = world.Key.ExportSubjectPublicKeyInfo();
                var unsigned = IapWorld.Raw(new { alg = "HS256", typ = "JWT", kid = world.KeyId }, IapWorld.StandardPayload(person)).TrimEnd('.');
                Assert(unsigned + "." + IapWorld.Base64Url(HMACSHA256.HashData(pub, Encoding.ASCII.GetBytes(unsigned))));
                break;
            case "unknown kid":
                using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    Assert(world.Token(d => d.Claims["email"] = person, key: other, kid: "not-a-google-key"));
                }

                break;
            case "known kid but another key":
                using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    Assert(world.Token(d => d.Claims["email"] = person, key: other));
                }

                break;
            case "wrong audience":
                Assert(Signed(("aud", "\"/projects/999/global/backendServices/1\"")));
                break;
            case "audience as an array":
                Assert(Signed(("aud", $"[{JsonSerializer.Serialize(IapWorld.Audience)}]")));
                break;
            case "wrong issuer":
                Assert(Signed(("iss", "\"https://accounts.google.com\"")));
                break;
            case "expired":
                Assert(Signed(("iat", $"{now - 1200}"), ("exp", $"{now - 300}")));
                break;
            case "issued in the future":
                Assert(Signed(("iat", $"{now + 300}"), ("exp", $"{now + 900}")));
                break;
            case "iat of 10^15":
                Assert(Signed(("iat", "1000000000000000")));
                break;
            case "iat as a string":
                Assert(Signed(("iat", $"\"{now}\"")));
                break;
            case "exp of 10^15":
                Assert(Signed(("exp", "1000000000000000")));
                break;
            case "nbf an hour ahead":
                Assert(Signed(("nbf", $"{now + 3600}")));
                break;
            case "nbf as a string":
                Assert(Signed(("nbf", $"\"{now}\"")));
                break;
            case "no expiry":
                Assert(world.Token(d => { d.Claims["email"] = person; d.Expires = null; }));
                break;
            case "tampered payload":
                var parts = world.Token(d => d.Claims["email"] = "someone-else@example.com").Split('.');
                Assert($"{parts[0]}.{IapWorld.Base64Url(JsonSerializer.SerializeToUtf8Bytes(IapWorld.StandardPayload(person)))}.{parts[2]}");
                break;
            case "truncated token":
                Assert(world.Token(d => d.Claims["email"] = person)[..^12]);
                break;
            case "token in the Authorization header":
                lines.Add("Authorization: Bearer " + world.Token(d => d.Claims["email"] = person));
                break;
            case "token sent twice as two header lines":
                Assert(world.Token(d => d.Claims["email"] = person));
                Assert(world.Token(d => d.Claims["email"] = "other-" + person));
                break;
            case "token sent twice in one folded line":
                Assert(world.Token(d => d.Claims["email"] = person) + ", " + world.Token(d => d.Claims["email"] = "other-" + person));
                break;
            case "empty email":
                Assert(world.Signed(world.Header, IapWorld.Payload("\"\"")));
                break;
            case "email not a string":
                Assert(world.Signed(world.Header, IapWorld.Payload("42")));
                break;
            case "email an array":
                Assert(world.Signed(world.Header, IapWorld.Payload($"[{email}]")));
                break;
            case "email twice in the payload":
                Assert(world.Signed(world.Header, IapWorld.Payload("\"someone-else@example.com\"").TrimEnd('}') + $",\"email\":{email}}}"));
                break;
            case "email with a NUL":
                Assert(world.Signed(world.Header, IapWorld.Payload(JsonSerializer.Serialize(person + "\0"))));
                break;
            case "no email":
                Assert(world.Token(d => { d.Claims.Remove("email"); d.Claims["sub"] = person; }));
                break;
            case "unknown crit header":
                Assert(world.Signed($$"""{"alg":"ES256","typ":"JWT","kid":"{{world.KeyId}}","crit":["x-must-understand"],"x-must-understand":true}""", IapWorld.Payload(email)));
                break;
            case "kid not a string":
                Assert(world.Signed("""{"alg":"ES256","typ":"JWT","kid":1}""", IapWorld.Payload(email)));
                break;
            case "header an array":
                Assert(world.Signed("""["ES256"]""", IapWorld.Payload(email)));
                break;
            case "garbage":
                Assert("abc.def.ghi");
                break;
            case "ES384":
                using (var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384))
                {
                    Assert(world.Token(d => { d.Claims["email"] = person; d.SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(p384) { KeyId = world.KeyId }, SecurityAlgorithms.EcdsaSha384); }));
                }

                break;
            case "RS256":
                using (var rsa = RSA.Create(2048))
                {
                    Assert(world.Token(d => { d.Claims["email"] = person; d.SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = world.KeyId }, SecurityAlgorithms.RsaSha256); }));
                }

                break;
            case "dev header in Iap mode":
                lines.Add("X-SdAgones-Dev-User: " + person);
                break;
            case "no kid":
                Assert(world.Signed("""{"alg":"ES256","typ":"JWT"}""", IapWorld.Payload(email)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }

        return lines;
    }

    [Theory, MemberData(nameof(Forgeries)), Trait("Category", "Faults")]
    public async Task A_forged_or_broken_credential_gets_401_with_its_reason_and_never_a_runtime(string forgery)
    {
        var person = PersonFor(forgery);
        var reason = Cases.Single(c => c.Name == forgery).Reason;

        var response = await RawHttp.SendAsync(world.Gateway.Url, ["GET /sdapi/v1/options HTTP/1.1", "Accept: application/json", .. Forge(forgery, person)]);

        Assert.True(response.Status == 401, $"expected 401 for '{forgery}', got {response}");
        Assert.Contains(reason, response.Detail(), StringComparison.Ordinal);
        Assert.DoesNotContain("outdir_", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(await world.Agones.ListAsync(), s => s.AllocatedUser is { } u && u.Contains("forgery-", StringComparison.Ordinal));

        // Positive control: the same person with a valid token is who the gateway says they are.
        using var http = new HttpClient { BaseAddress = world.Gateway.Url };
        using var control = new HttpRequestMessage(HttpMethod.Get, "/_sd/api/session");
        control.Headers.Add(Assertion, world.Token(d => d.Claims["email"] = person));
        var accepted = await http.SendAsync(control);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(person, (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetString());
    }

    [Fact]
    public async Task A_valid_IAP_token_reaches_the_persons_own_runtime()
    {
        using var http = new HttpClient { BaseAddress = world.Gateway.Url };
        var response = await Eventually.ReturnsAsync(async () =>
        {
            using var attempt = new HttpRequestMessage(HttpMethod.Get, "/sdapi/v1/options");
            attempt.Headers.Add(Assertion, world.Token(d => d.Claims["email"] = "Alice@Example.com"));
            var r = await http.SendAsync(attempt);
            return r.StatusCode == HttpStatusCode.OK ? r : null;
        }, TimeSpan.FromSeconds(60), "alice's runtime");

        Assert.Contains("outdir_txt2img_samples", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(await world.Agones.ListAsync(), s => s.State == GameServerState.Allocated && s.AllocatedUser == "alice@example.com");
    }

    [Fact]
    public async Task A_token_with_a_not_before_inside_the_clock_skew_is_accepted()
    {
        var person = "skew@example.com";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var http = new HttpClient { BaseAddress = world.Gateway.Url };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/_sd/api/session");
        request.Headers.Add(Assertion, world.Signed(world.Header, IapWorld.Payload(JsonSerializer.Serialize(person), ("nbf", $"{now + 10}"), ("iat", $"{now + 10}"))));

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(person, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetString());
    }

    [Theory]
    [InlineData("Origin: https://evil.example")]
    [InlineData("Origin: null")]
    public async Task In_IAP_mode_a_cross_site_WebSocket_is_refused_and_a_same_site_one_accepted(string foreign)
    {
        const string person = "websocket@example.com";
        using var http = new HttpClient { BaseAddress = world.Gateway.Url };
        await Eventually.HoldsAsync(async () =>
        {
            using var attempt = new HttpRequestMessage(HttpMethod.Get, "/sdapi/v1/options");
            attempt.Headers.Add(Assertion, world.Token(d => d.Claims["email"] = person));
            return (await http.SendAsync(attempt)).StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(60), person + "'s runtime");
        string[] upgrade =
        [
            "GET /queue/join HTTP/1.1", $"{Assertion}: {world.Token(d => d.Claims["email"] = person)}", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        ];

        var refused = await RawHttp.SendAsync(world.Gateway.Url, [.. upgrade, foreign]);
        var accepted = await RawHttp.SendAsync(world.Gateway.Url, [.. upgrade, $"Origin: https://{world.Gateway.Url.Authority}", "X-Forwarded-Proto: https"]);

        Assert.True(refused.Status == 403, refused.ToString());
        Assert.Contains("WebSocket connections from another site's page are refused", refused.Detail(), StringComparison.Ordinal);
        Assert.True(accepted.Status == 101, accepted.ToString());
    }

    [Fact]
    public async Task The_load_balancer_check_needs_no_token()
    {
        using var http = new HttpClient { BaseAddress = world.Gateway.Url };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }
}
