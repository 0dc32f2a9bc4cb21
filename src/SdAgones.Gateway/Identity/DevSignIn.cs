using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;

namespace SdAgones.Gateway.Identity;

/// <summary>
/// Development identity: a sign-in page that sets a signed cookie, and the <c>X-SdAgones-Dev-User</c> header for
/// scripts. Only ever registered when the host environment is Development.
/// </summary>
internal sealed partial class DevSignIn(IDataProtectionProvider protection)
{
    public const string Header = "X-SdAgones-Dev-User";
    public const string Cookie = "sd_dev_user";
    private readonly IDataProtector protector = protection.CreateProtector("SdAgones.Gateway.DevSignIn.v1");

    public IdentityResult Resolve(HttpRequest request)
    {
        var header = request.Headers[Header];
        if (header.Count > 1)
        {
            return IdentityResult.Fail($"the {Header} header was sent more than once");
        }

        if (header.Count == 1)
        {
            return Normalize(header[0]) is { } user ? IdentityResult.Ok(user) : IdentityResult.Fail(NameRule);
        }

        if (request.Cookies.TryGetValue(Cookie, out var cookie) && !string.IsNullOrEmpty(cookie))
        {
            try
            {
                return Normalize(protector.Unprotect(cookie)) is { } user ? IdentityResult.Ok(user) : IdentityResult.None;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                return IdentityResult.Fail("the sign-in cookie is not valid; sign in again");
            }
        }

        return IdentityResult.None;
    }

    public void SignIn(HttpResponse response, string user) =>
        response.Cookies.Append(Cookie, protector.Protect(user), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            MaxAge = TimeSpan.FromDays(7),
        });

    public static void SignOut(HttpResponse response) => response.Cookies.Delete(Cookie, new CookieOptions { Path = "/" });

    public const string NameRule = "a name is 1 to 64 characters: letters, digits and . _ @ + -";

    /// <summary>The canonical identity for a typed name, or null when it breaks <see cref="NameRule"/>.</summary>
    public static string? Normalize(string? name)
    {
        var trimmed = name?.Trim().ToLowerInvariant();
        return trimmed is { Length: > 0 and <= 64 } && AllowedName().IsMatch(trimmed) ? trimmed : null;
    }

    [GeneratedRegex("^[a-z0-9._@+-]+$")]
    private static partial Regex AllowedName();
}
