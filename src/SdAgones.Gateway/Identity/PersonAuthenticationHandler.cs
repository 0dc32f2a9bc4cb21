using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using SdAgones.Gateway.Edge;

namespace SdAgones.Gateway.Identity;

/// <summary>
/// The one place that works out who is asking: an ASP.NET Core authentication handler per identity mode, so every
/// endpoint reads the person from <see cref="HttpContext.User"/> and every refusal is answered the same way.
/// </summary>
internal abstract class PersonAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>Who this request is from, the reason it is refused, or neither when it carries no identity at all.</summary>
    protected abstract Task<IdentityResult> ResolveAsync();

    /// <summary>What a request without any identity is told.</summary>
    protected abstract string MissingReason { get; }

    /// <summary>Whether a browser without identity is sent to a sign-in page instead of refused.</summary>
    protected virtual bool OffersSignIn => false;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var who = await ResolveAsync();
        if (who.User is { } user)
        {
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
        }

        return who.Error is { } reason ? AuthenticateResult.Fail(reason) : AuthenticateResult.NoResult();
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var reason = result.Failure?.Message;
        if (reason is null && OffersSignIn && HttpMethods.IsGet(Request.Method) && ErrorAnswers.WantsPage(Request))
        {
            Response.Headers.CacheControl = "no-store";
            Response.Redirect("/_sd/signin?returnUrl=" + Uri.EscapeDataString(Request.GetEncodedPathAndQuery()));
            return;
        }

        await ErrorAnswers.WriteAsync(Context, StatusCodes.Status401Unauthorized, "unauthorized", "Not signed in", reason ?? MissingReason);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorAnswers.WriteAsync(Context, StatusCodes.Status403Forbidden, "forbidden", "Administrators only",
            $"You are signed in as {Context.User.Person()}, who is not an administrator of this platform.");
}

/// <summary>Production: the person is the email in Google IAP's signed token, verified on every request.</summary>
internal sealed class IapAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IapTokenValidator validator)
    : PersonAuthenticationHandler(options, logger, encoder)
{
    public const string SchemeName = "Iap";

    protected override string MissingReason => "no IAP token (x-goog-iap-jwt-assertion) on the request";

    protected override Task<IdentityResult> ResolveAsync() => validator.ValidateAsync(Request);
}

/// <summary>Local: the name from the development sign-in cookie or the scripts' header.</summary>
internal sealed class DevSignInAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, DevSignIn signIn)
    : PersonAuthenticationHandler(options, logger, encoder)
{
    public const string SchemeName = "DevSignIn";

    protected override string MissingReason => $"not signed in: sign in at /_sd/signin or send the {DevSignIn.Header} header";

    protected override bool OffersSignIn => true;

    protected override Task<IdentityResult> ResolveAsync() => Task.FromResult(signIn.Resolve(Request));
}

/// <summary>Reads the authenticated person.</summary>
internal static class PersonClaims
{
    /// <summary>The person's canonical name; only called behind <c>RequireAuthorization()</c>.</summary>
    public static string Person(this ClaimsPrincipal principal) =>
        principal.Identity is { IsAuthenticated: true, Name: { } name } ? name : throw new InvalidOperationException("no authenticated person on this request");
}
