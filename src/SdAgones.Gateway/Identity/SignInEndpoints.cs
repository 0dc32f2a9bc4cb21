using Microsoft.AspNetCore.Mvc;
using SdAgones.Gateway.Edge;
using SdAgones.Gateway.Pages;

namespace SdAgones.Gateway.Identity;

internal static class SignInEndpoints
{
    /// <summary>The largest sign-in form accepted: a name and a return path.</summary>
    private const long MaxFormBytes = 8 * 1024;

    private const string BadReturn = "returnUrl must be a path on this site, such as /_sd/ (printable ASCII, starting with a single /)";

    /// <summary>The development sign-in page; it does not exist in Iap mode.</summary>
    public static WebApplication MapDevSignIn(this WebApplication app)
    {
        if (!app.Services.IsDevelopmentMode())
        {
            return app;
        }

        var signInGroup = app.MapGroup("/_sd").RequireRateLimiting(EdgeExtensions.ApiRateLimit);
        // A link may carry any returnUrl; one that is not a path on this site becomes "/" (the form posts it back).
        signInGroup.MapGet("/signin", (HttpContext context) =>
        {
            var query = context.Request.Query["returnUrl"];
            return PageLayout.Html(SignInPage.Render((query.Count == 1 ? SafeReturn(query[0]) : null) ?? "/", error: null));
        });
        signInGroup.MapPost("/signin", async (HttpContext context, DevSignIn signIn) =>
        {
            if (!context.Request.HasFormContentType)
            {
                return BadRequest(context, "sign in with a form (application/x-www-form-urlencoded or multipart/form-data) holding name and returnUrl");
            }

            IFormCollection form;
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception ex) when (ex is BadHttpRequestException or InvalidDataException)
            {
                return BadRequest(context, $"the sign-in form could not be read ({ex.Message}); send a name and a returnUrl of at most {MaxFormBytes} bytes");
            }

            var returnField = form["returnUrl"];
            var returnUrl = returnField.Count == 0 ? "/" : returnField.Count == 1 ? SafeReturn(returnField[0]) : null;
            if (returnUrl is null)
            {
                return BadRequest(context, BadReturn);
            }

            if (form["name"].Count != 1 || DevSignIn.Normalize(form["name"][0]) is not { } user)
            {
                return PageLayout.Html(SignInPage.Render(returnUrl, "That name cannot be used: " + DevSignIn.NameRule + "."), StatusCodes.Status400BadRequest);
            }

            signIn.SignIn(context.Response, user);
            return Results.Redirect(returnUrl);
        }).DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(MaxFormBytes), new RequestFormLimitsAttribute
        {
            ValueLengthLimit = (int)MaxFormBytes,
            ValueCountLimit = 16,
            KeyLengthLimit = 64,
            MultipartBodyLengthLimit = MaxFormBytes,
        });
        signInGroup.MapPost("/signout", (HttpContext context) =>
        {
            DevSignIn.SignOut(context.Response);
            return Results.Redirect("/_sd/signin");
        }).DisableAntiforgery();
        return app;
    }

    private static IResult BadRequest(HttpContext context, string detail) => ErrorAnswers.WantsPage(context.Request)
        ? PageLayout.Html(MessagePage.Render("Bad request", detail), StatusCodes.Status400BadRequest)
        : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail,
            extensions: new Dictionary<string, object?> { ["error"] = "bad_request" });

    /// <summary>
    /// A path on this site, or null: printable ASCII only (no CR/LF, tabs, NUL or non-ASCII, which browsers drop or
    /// servers refuse), one leading <c>/</c> not followed by <c>/</c> or <c>\</c> (a scheme-relative URL leaves the
    /// site), before and after percent-decoding.
    /// </summary>
    public static string? SafeReturn(string? returnUrl)
    {
        if (returnUrl is not { Length: > 0 and <= 2048 } url || !IsLocalPath(url))
        {
            return null;
        }

        var decoded = Uri.UnescapeDataString(url);
        return StartsLocal(decoded) && !decoded.Any(char.IsControl) ? url : null;
    }

    private static bool IsLocalPath(string url) => StartsLocal(url) && url.All(c => c is > ' ' and < (char)0x7F);

    private static bool StartsLocal(string url) => url.Length > 0 && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\'));
}
