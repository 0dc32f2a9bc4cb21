using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SdAgones.Gateway.Identity;

/// <summary>
/// Verifies <c>x-goog-iap-jwt-assertion</c> with Microsoft.IdentityModel: ES256 only, a key from IAP's JWKS, issuer,
/// audience, <c>exp</c> and <c>iat</c> within the skew, and a non-empty string <c>email</c>. Never trusts the unsigned
/// <c>x-goog-authenticated-user-email</c> header.
/// </summary>
internal sealed class IapTokenValidator(IapKeySet keys, IOptions<IdentityOptions> options, TimeProvider time)
{
    public const string AssertionHeader = "x-goog-iap-jwt-assertion";
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

        if (values.Count > 1)
        {
            return IdentityResult.Fail("more than one IAP token on the request");
        }

        var settings = options.Value.Iap;
        JsonWebToken token;
        try
        {
            token = handler.ReadJsonWebToken(values[0]!);
        }
        catch (ArgumentException)
        {
            return IdentityResult.Fail("the IAP token is malformed");
        }

        if (token.Alg != SecurityAlgorithms.EcdsaSha256)
        {
            return IdentityResult.Fail($"the IAP token must be signed with ES256, not {Describe(token.Alg)}");
        }

        if (string.IsNullOrEmpty(token.Kid) || await keys.FindAsync(token.Kid, request.HttpContext.RequestAborted) is not { } key)
        {
            return IdentityResult.Fail("the IAP token is signed with an unknown key");
        }

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
            LifetimeValidator = (notBefore, expires, _, p) => expires is { } exp && exp.ToUniversalTime() + p.ClockSkew > time.GetUtcNow().UtcDateTime,
        };

        var result = await handler.ValidateTokenAsync(token, parameters);
        if (!result.IsValid)
        {
            return IdentityResult.Fail(Reason(result.Exception));
        }

        if (!token.TryGetPayloadValue<long>("iat", out var iat) || DateTimeOffset.FromUnixTimeSeconds(iat) > time.GetUtcNow() + settings.ClockSkew)
        {
            return IdentityResult.Fail("the IAP token's issue time (iat) is missing or in the future");
        }

        if (!token.TryGetClaim("email", out var email) || email.ValueType != ClaimValueTypes.String || string.IsNullOrWhiteSpace(email.Value))
        {
            return IdentityResult.Fail("the IAP token carries no email");
        }

        return IdentityResult.Ok(email.Value.Trim().ToLowerInvariant());
    }

    private static string Describe(string? alg) => string.IsNullOrEmpty(alg) ? "no algorithm" : alg.Length > 16 ? alg[..16] : alg;

    private static string Reason(Exception? ex) => ex switch
    {
        SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException => "the IAP token has expired",
        SecurityTokenInvalidAudienceException => "the IAP token is for another audience",
        SecurityTokenInvalidIssuerException => "the IAP token has the wrong issuer",
        SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "the IAP token's signature is invalid",
        SecurityTokenInvalidAlgorithmException => "the IAP token must be signed with ES256",
        _ => "the IAP token is invalid",
    };
}
