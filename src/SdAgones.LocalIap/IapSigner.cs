using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SdAgones.LocalIap;

/// <summary>
/// Signs tokens the way Google IAP does (https://cloud.google.com/iap/docs/signed-headers-howto): ES256 with a P-256
/// key named by <c>kid</c>, issuer <c>https://cloud.google.com/iap</c>, and publishes the public key as a JWKS. The key
/// is generated when the signer is made and never leaves memory. Shared by LocalIap and the tests that play IAP.
/// </summary>
public sealed class IapSigner : IDisposable
{
    public const string Issuer = "https://cloud.google.com/iap";

    /// <summary>How long a token is valid; IAP's own last 10 minutes.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false };

    public IapSigner(string? keyId = null)
    {
        KeyId = keyId ?? "local-iap-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var p = Key.ExportParameters(includePrivateParameters: false);
        Jwks = JsonSerializer.Serialize(new
        {
            keys = new[]
            {
                new { kty = "EC", crv = "P-256", kid = KeyId, alg = SecurityAlgorithms.EcdsaSha256, use = "sig", x = Base64UrlEncoder.Encode(p.Q.X!), y = Base64UrlEncoder.Encode(p.Q.Y!) },
            },
        });
    }

    public ECDsa Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string KeyId { get; }

    /// <summary>The public key in IAP's JWKS format (<c>keys</c> with kty, crv, kid, alg ES256, x, y).</summary>
    public string Jwks { get; }

    /// <summary>IAP's JWT header for this key.</summary>
    public string Header => $$"""{"alg":"ES256","typ":"JWT","kid":"{{KeyId}}"}""";

    /// <summary>The subject IAP gives a Google account: <c>accounts.google.com:</c> and a stable number.</summary>
    public static string Subject(string email) =>
        "accounts.google.com:" + BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(email.ToLowerInvariant())), 0).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What IAP would sign for <paramref name="email"/> at <paramref name="now"/>, to sign as it is or changed.</summary>
    public SecurityTokenDescriptor Descriptor(string audience, string email, DateTimeOffset now) => new()
    {
        Issuer = Issuer,
        Audience = audience,
        IssuedAt = now.UtcDateTime,
        Expires = (now + Lifetime).UtcDateTime,
        Claims = new Dictionary<string, object> { ["email"] = email, ["sub"] = Subject(email) },
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(Key) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256),
    };

    public string Sign(SecurityTokenDescriptor descriptor) => handler.CreateToken(descriptor);

    /// <summary>The token IAP would send for <paramref name="email"/>.</summary>
    public string Token(string audience, string email, DateTimeOffset now) => Sign(Descriptor(audience, email, now));

    /// <summary>A token signed with this key over exactly the JSON given (for shapes a library refuses to produce).</summary>
    public string SignRaw(string headerJson, string payloadJson)
    {
        var signingInput = $"{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(headerJson))}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payloadJson))}";
        var signature = Key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    public void Dispose() => Key.Dispose();
}
