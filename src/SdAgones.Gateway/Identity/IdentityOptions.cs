using System.ComponentModel.DataAnnotations;

namespace SdAgones.Gateway.Identity;

public enum IdentityMode
{
    /// <summary>Production: the person is the email in Google IAP's signed JWT, verified on every request.</summary>
    Iap,

    /// <summary>Local: a sign-in page and a header for scripts; refused outside the Development environment.</summary>
    Development,
}

/// <summary>How the gateway learns who is asking (section <c>Identity</c>).</summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    public IdentityMode Mode { get; set; } = IdentityMode.Iap;

    public IapOptions Iap { get; set; } = new();
}

/// <summary>Google IAP's JWT rules (https://cloud.google.com/iap/docs/signed-headers-howto): ES256, key by kid from the JWKS, fixed issuer, the backend's audience.</summary>
public sealed class IapOptions
{
    public const string GoogleJwksUrl = "https://www.gstatic.com/iap/verify/public_key-jwk";
    public const string Issuer = "https://cloud.google.com/iap";

    [Required]
    public string JwksUrl { get; set; } = GoogleJwksUrl;

    /// <summary><c>/projects/PROJECT_NUMBER/global/backendServices/SERVICE_ID</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>An unknown <c>kid</c> refreshes the key set at most this often.</summary>
    public TimeSpan RefreshMinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tolerated clock difference for <c>exp</c> and <c>iat</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
