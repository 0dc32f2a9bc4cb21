using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>In production mode only a valid IAP token is an identity; everything forged gets 401 and no runtime.</summary>
public sealed class IapIdentityTests(IapWorld world) : IClassFixture<IapWorld>
{
    private const string Assertion = "x-goog-iap-jwt-assertion";

    public static IEnumerable<object[]> Forgeries() => ForgeryNames.Select(n => new object[] { n });

    private static readonly string[] ForgeryNames =
    [
        "no token", "only the plain IAP email header", "alg none", "HS256 signed with the public key", "unknown kid",
        "known kid but another key", "wrong audience", "wrong issuer", "expired", "issued in the future",
        "tampered payload", "truncated token", "token in the Authorization header", "token sent twice",
        "empty email", "email not a string", "no email", "garbage", "ES384", "RS256", "no expiry",
        "dev header in Iap mode", "no kid",
    ];

    private HttpRequestMessage Forge(string name)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/sdapi/v1/options");
        var victim = "victim@example.com";
        void Assert(string token) => request.Headers.Add(Assertion, token);
        switch (name)
        {
            case "no token":
                break;
            case "only the plain IAP email header":
                request.Headers.Add("x-goog-authenticated-user-email", "accounts.google.com:" + victim);
                break;
            case "alg none":
                Assert(IapWorld.Raw(new { alg = "none", typ = "JWT", kid = world.KeyId }, IapWorld.StandardPayload(victim)));
                break;
            case "HS256 signed with the public key":
                var pub = world.Key.ExportSubjectPublicKeyInfo();
                var unsigned = IapWorld.Raw(new { alg = "HS256", typ = "JWT", kid = world.KeyId }, IapWorld.StandardPayload(victim)).TrimEnd('.');
                Assert(unsigned + "." + IapWorld.Base64Url(HMACSHA256.HashData(pub, Encoding.ASCII.GetBytes(unsigned))));
                break;
            case "unknown kid":
                using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    Assert(world.Token(key: other, kid: "not-a-google-key"));
                }

                break;
            case "known kid but another key":
                using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    Assert(world.Token(key: other));
                }

                break;
            case "wrong audience":
                Assert(world.Token(d => d.Audience = "/projects/999/global/backendServices/1"));
                break;
            case "wrong issuer":
                Assert(world.Token(d => d.Issuer = "https://accounts.google.com"));
                break;
            case "expired":
                Assert(world.Token(d => { d.IssuedAt = DateTime.UtcNow.AddMinutes(-20); d.NotBefore = d.IssuedAt; d.Expires = DateTime.UtcNow.AddMinutes(-5); }));
                break;
            case "issued in the future":
                Assert(world.Token(d => { d.IssuedAt = DateTime.UtcNow.AddMinutes(5); d.NotBefore = null; d.Expires = DateTime.UtcNow.AddMinutes(15); }));
                break;
            case "tampered payload":
                var parts = world.Token().Split('.');
                Assert($"{parts[0]}.{IapWorld.Base64Url(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(IapWorld.StandardPayload(victim)))}.{parts[2]}");
                break;
            case "truncated token":
                var token = world.Token();
                Assert(token[..^12]);
                break;
            case "token in the Authorization header":
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", world.Token());
                break;
            case "token sent twice":
                request.Headers.TryAddWithoutValidation(Assertion, [world.Token(), world.Token(d => d.Claims["email"] = victim)]);
                break;
            case "empty email":
                Assert(world.Token(d => d.Claims["email"] = ""));
                break;
            case "email not a string":
                Assert(world.Token(d => d.Claims["email"] = 42));
                break;
            case "no email":
                Assert(world.Token(d => d.Claims.Remove("email")));
                break;
            case "garbage":
                Assert("abc.def.ghi");
                break;
            case "ES384":
                using (var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384))
                {
                    Assert(world.Token(d => d.SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(p384) { KeyId = world.KeyId }, SecurityAlgorithms.EcdsaSha384)));
                }

                break;
            case "RS256":
                using (var rsa = RSA.Create(2048))
                {
                    Assert(world.Token(d => d.SigningCredentials = new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = world.KeyId }, SecurityAlgorithms.RsaSha256)));
                }

                break;
            case "no expiry":
                Assert(world.Token(d => d.Expires = null));
                break;
            case "dev header in Iap mode":
                request.Headers.Add("X-SdAgones-Dev-User", victim);
                break;
            case "no kid":
                Assert(world.Token(kid: ""));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, null);
        }

        return request;
    }

    [Theory, MemberData(nameof(Forgeries)), Trait("Category", "Faults")]
    public async Task A_forged_or_broken_credential_gets_401_and_never_a_runtime(string forgery)
    {
        using var http = new HttpClient { BaseAddress = world.Gateway.Url };
        using var request = Forge(forgery);

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"detail\":", body, StringComparison.Ordinal);
        Assert.DoesNotContain("outdir_", body, StringComparison.Ordinal);
        Assert.DoesNotContain(await world.Agones.ListAsync(), s => s.State == GameServerState.Allocated && s.AllocatedUser != "alice@example.com");
    }

    [Fact]
    public async Task A_valid_IAP_token_reaches_the_persons_own_runtime()
    {
        using var http = new HttpClient { BaseAddress = world.Gateway.Url };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sdapi/v1/options");
        request.Headers.Add(Assertion, world.Token(d => d.Claims["email"] = "Alice@Example.com"));

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
    public async Task The_load_balancer_check_needs_no_token()
    {
        using var http = new HttpClient { BaseAddress = world.Gateway.Url };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }
}
