using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using SdAgones.LocalIap;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// A gateway process in production (Iap) mode with everything real around it — Garnet, LocalAgones — except
/// Google: the test plays IAP, signing tokens with keys it generates and serving their JWKS on loopback.
/// </summary>
public sealed class IapWorld : IAsyncLifetime
{
    public const string Audience = "/projects/123456/global/backendServices/7890";
    public const string Issuer = IapSigner.Issuer;
    private readonly RedisBackends redis = new();
    private WebApplication jwks = null!;

    /// <summary>Signs as IAP does, with the same code LocalIap uses.</summary>
    public IapSigner Signer { get; } = new("iap-test-key-1");
    public ECDsa Key => Signer.Key;
    public string KeyId => Signer.KeyId;
    public LocalAgonesHost Agones { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        jwks = BuildJwksServer();
        await jwks.StartAsync();
        var jwksUrl = jwks.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/jwk";
        Agones = await LocalAgonesHost.StartAsync(buffer: 1, max: 3);
        Gateway = ServiceProcess.Start("SdAgones.Gateway", new Dictionary<string, string>
        {
            ["Identity:Mode"] = "Iap",
            ["Identity:Iap:Audience"] = Audience,
            ["Identity:Iap:JwksUrl"] = jwksUrl,
            ["Identity:Iap:RefreshMinInterval"] = "00:00:00.100",
            ["ConnectionStrings:cache"] = redis.GarnetEndpoint,
            ["Agones:ApiServer"] = Agones.Url.ToString(),
        });
        await Gateway.WaitUntilHealthyAsync();
        await Agones.WaitForReadyAsync(1);
    }

    public string Token(Action<SecurityTokenDescriptor>? change = null, ECDsa? key = null, string? kid = null)
    {
        var descriptor = Signer.Descriptor(Audience, "alice@example.com", DateTimeOffset.UtcNow);
        descriptor.NotBefore = descriptor.IssuedAt;
        descriptor.Claims["sub"] = "accounts.google.com:1234";
        if (key is not null || kid is not null)
        {
            descriptor.SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key ?? Key) { KeyId = kid ?? KeyId }, SecurityAlgorithms.EcdsaSha256);
        }

        change?.Invoke(descriptor);
        return Signer.Sign(descriptor);
    }

    /// <summary>
    /// A token signed with IAP's own key over exactly the JSON given, for contents a well-behaved library refuses
    /// to produce (repeated members, wrong types, unknown critical headers).
    /// </summary>
    public string Signed(string headerJson, string payloadJson) => Signer.SignRaw(headerJson, payloadJson);

    /// <summary>IAP's header for this world's key.</summary>
    public string Header => Signer.Header;

    /// <summary>A payload as IAP sends it, with <paramref name="email"/> as raw JSON and any member replaced or added.</summary>
    public static string Payload(string emailJson, params (string Name, string Json)[] replace)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var members = new List<(string Name, string Json)>
        {
            ("iss", JsonSerializer.Serialize(Issuer)), ("aud", JsonSerializer.Serialize(Audience)), ("email", emailJson),
            ("sub", "\"accounts.google.com:1234\""), ("iat", $"{now}"), ("exp", $"{now + 600}"),
        };
        foreach (var (name, json) in replace)
        {
            members.RemoveAll(m => m.Name == name);
            members.Add((name, json));
        }

        return "{" + string.Join(",", members.Select(m => $"\"{m.Name}\":{m.Json}")) + "}";
    }

    /// <summary>A token assembled by hand, for shapes a well-behaved library refuses to produce.</summary>
    public static string Raw(object header, object payload, string signature = "") =>
        $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}.{signature}";

    public static string Base64Url(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    public static object StandardPayload(object email) => new
    {
        iss = Issuer,
        aud = Audience,
        email,
        iat = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds(),
    };

    private WebApplication BuildJwksServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/jwk", () => Results.Text(Signer.Jwks, "application/json", Encoding.UTF8));
        return app;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Agones.DisposeAsync();
        await jwks.DisposeAsync();
        redis.Dispose();
        Signer.Dispose();
    }
}
