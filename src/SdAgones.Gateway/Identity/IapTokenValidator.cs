using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SdAgones.Gateway.Identity;

/// <summary>
/// Verifies <c>x-goog-iap-jwt-assertion</c> as strictly as RFC 7515/7519 and Google's IAP guide
/// (https://cloud.google.com/iap/docs/signed-headers-howto): one token, a header and a payload that are JSON objects
/// without repeated members, ES256 with a key from IAP's JWKS, no critical extensions, and every claim the gateway
/// reads of exactly its JSON type and within range. Any other value is a 401 with its reason, never an error.
/// Never trusts the unsigned <c>x-goog-authenticated-user-email</c> header.
/// </summary>
internal sealed class IapTokenValidator(IapKeySet keys, IOptions<IdentityOptions> options, TimeProvider time)
{
    public const string AssertionHeader = "x-goog-iap-jwt-assertion";

    /// <summary>The largest NumericDate .NET can represent (9999-12-31T23:59:59Z); anything beyond is not a time.</summary>
    private const double MaxNumericDate = 253_402_300_799;

    /// <summary>Longest token accepted; IAP's are well under 2 KB.</summary>
    private const int MaxTokenLength = 8 * 1024;

    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };

    public async Task<IdentityResult> ValidateAsync(HttpRequest request)
    {
        var values = request.Headers[AssertionHeader];
        if (values.Count == 0)
        {
            return request.Headers.ContainsKey("x-goog-authenticated-user-email")
                ? IdentityResult.Fail("the unsigned IAP email header is not accepted without a signed IAP token")
                : IdentityResult.Fail("no IAP token (x-goog-iap-jwt-assertion) on the request");
        }

        // A JWS compact serialisation never holds a comma: one that does is two header lines folded into one.
        if (values.Count > 1 || values[0]!.Contains(',', StringComparison.Ordinal))
        {
            return IdentityResult.Fail("more than one IAP token on the request");
        }

        try
        {
            return await ValidateAsync(values[0]!, request.HttpContext.RequestAborted);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or JsonException or SecurityTokenException or OverflowException or InvalidOperationException)
        {
            return IdentityResult.Fail("the IAP token is malformed");
        }
    }

    private async Task<IdentityResult> ValidateAsync(string compact, CancellationToken ct)
    {
        var settings = options.Value.Iap;
        var parts = compact.Split('.');
        if (compact.Length > MaxTokenLength || parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return IdentityResult.Fail("the IAP token is malformed");
        }

        using var header = ParseObject(parts[0]);
        using var payload = ParseObject(parts[1]);
        if (header is null || payload is null)
        {
            return IdentityResult.Fail("the IAP token's header and payload must be JSON objects without repeated members");
        }

        var head = header.RootElement;
        if (!TryString(head, "alg", out var alg) || alg != SecurityAlgorithms.EcdsaSha256)
        {
            return IdentityResult.Fail($"the IAP token must be signed with ES256, not {Describe(alg)}");
        }

        if (head.TryGetProperty("crit", out _))
        {
            return IdentityResult.Fail("the IAP token names critical header parameters (crit) the gateway does not understand");
        }

        if (!TryString(head, "kid", out var kid) || kid.Length == 0)
        {
            return IdentityResult.Fail("the IAP token has no key id (kid)");
        }

        if (head.TryGetProperty("typ", out var typ) && typ.ValueKind != JsonValueKind.String)
        {
            return IdentityResult.Fail("the IAP token's typ header is not a string");
        }

        if (Claims(payload.RootElement, settings) is { } claimError)
        {
            return IdentityResult.Fail(claimError);
        }

        if (await keys.FindAsync(kid, ct) is not { } key)
        {
            return IdentityResult.Fail("the IAP token is signed with an unknown key");
        }

        // The library checks the signature (and again issuer, audience and lifetime, on the values checked above).
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = IapOptions.Issuer,
            ValidAudience = settings.Audience,
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            IssuerSigningKey = key,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = settings.ClockSkew,
            LifetimeValidator = (_, expires, _, p) => expires is { } exp && exp.ToUniversalTime() + p.ClockSkew > time.GetUtcNow().UtcDateTime,
        };

        var result = await handler.ValidateTokenAsync(compact, parameters);
        if (!result.IsValid)
        {
            return IdentityResult.Fail(Reason(result.Exception));
        }

        TryString(payload.RootElement, "email", out var email);
        return IdentityResult.Ok(email.Trim().ToLowerInvariant());
    }

    /// <summary>Every claim the gateway reads, by type and value; null when all hold.</summary>
    private string? Claims(JsonElement claims, IapOptions settings)
    {
        var now = time.GetUtcNow();
        if (!TryString(claims, "iss", out var issuer) || issuer != IapOptions.Issuer)
        {
            return "the IAP token has the wrong issuer (iss must be the string " + IapOptions.Issuer + ")";
        }

        if (!TryString(claims, "aud", out var audience) || audience != settings.Audience)
        {
            return "the IAP token is for another audience (aud must be this backend's audience as a string)";
        }

        if (NumericDate(claims, "exp") is not { } exp)
        {
            return "the IAP token's expiry (exp) is missing or not a NumericDate";
        }

        if (exp + settings.ClockSkew <= now)
        {
            return "the IAP token has expired";
        }

        if (NumericDate(claims, "iat") is not { } iat)
        {
            return "the IAP token's issue time (iat) is missing or not a NumericDate";
        }

        if (iat > now + settings.ClockSkew)
        {
            return "the IAP token's issue time (iat) is in the future";
        }

        if (claims.TryGetProperty("nbf", out _))
        {
            if (NumericDate(claims, "nbf") is not { } nbf)
            {
                return "the IAP token's not-before time (nbf) is not a NumericDate";
            }

            if (nbf > now + settings.ClockSkew)
            {
                return "the IAP token is not valid yet (nbf is in the future)";
            }
        }

        if (!claims.TryGetProperty("email", out var emailValue))
        {
            return "the IAP token carries no email";
        }

        if (emailValue.ValueKind != JsonValueKind.String)
        {
            return $"the IAP token's email must be a string, not {emailValue.ValueKind.ToString().ToLowerInvariant()}";
        }

        var email = emailValue.GetString()!.Trim();
        if (email.Length is 0 or > 254 || email.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) || !email.Contains('@', StringComparison.Ordinal))
        {
            return "the IAP token's email is empty or not an address";
        }

        return null;
    }

    /// <summary>A JSON object from base64url, or null when it is not one or repeats a member name (RFC 7515 §5.2).</summary>
    private static JsonDocument? ParseObject(string base64Url)
    {
        var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(base64Url), new JsonDocumentOptions { MaxDepth = 16 });
        if (document.RootElement.ValueKind != JsonValueKind.Object || HasRepeatedMember(document.RootElement))
        {
            document.Dispose();
            return null;
        }

        return document;
    }

    private static bool HasRepeatedMember(JsonElement element)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return element.EnumerateObject().Any(p => !seen.Add(p.Name));
    }

    private static bool TryString(JsonElement claims, string name, out string value)
    {
        value = claims.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        return v.ValueKind == JsonValueKind.String;
    }

    /// <summary>RFC 7519 NumericDate: a JSON number of seconds since the epoch, within what a date can hold.</summary>
    private static DateTimeOffset? NumericDate(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var seconds)
        && double.IsFinite(seconds) && seconds is >= 0 and <= MaxNumericDate
            ? DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor(seconds))
            : null;

    private static string Describe(string? alg) => string.IsNullOrEmpty(alg) ? "no algorithm" : alg.Length > 16 ? alg[..16] : alg;

    private static string Reason(Exception? ex) => ex switch
    {
        SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException or SecurityTokenNotYetValidException => "the IAP token has expired or is not valid yet",
        SecurityTokenInvalidAudienceException => "the IAP token is for another audience",
        SecurityTokenInvalidIssuerException => "the IAP token has the wrong issuer",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the IAP token's signature is invalid",
        SecurityTokenInvalidAlgorithmException => "the IAP token must be signed with ES256",
        _ => "the IAP token is invalid",
    };
}
