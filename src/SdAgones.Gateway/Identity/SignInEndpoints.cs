using SdAgones.Gateway.Pages;

namespace SdAgones.Gateway.Identity;

internal static class SignInEndpoints
{
    /// <summary>The development sign-in page; it does not exist in Iap mode.</summary>
    public static WebApplication MapDevSignIn(this WebApplication app)
    {
        if (!app.Services.IsDevelopmentMode())
        {
            return app;
        }

        app.MapGet("/_sd/signin", (string? returnUrl) => PageLayout.Html(SignInPage.Render(SafeReturn(returnUrl), error: null)));
        app.MapPost("/_sd/signin", async (HttpContext context, DevSignIn signIn) =>
        {
            IFormCollection form;
            try
            {
                form = await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (BadHttpRequestException ex)
            {
                // the form never arrived whole (cut short, too slow, too large): Kestrel's own status, not a 500
                return PageLayout.Html(SignInPage.Render("/", "The sign-in form did not arrive whole; please try again."), ex.StatusCode);
            }
            catch (InvalidDataException)
            {
                return PageLayout.Html(SignInPage.Render("/", "The sign-in form could not be read; please try again."), StatusCodes.Status400BadRequest);
            }

            var returnUrl = SafeReturn(form["returnUrl"]);
            if (DevSignIn.Normalize(form["name"]) is not { } user)
            {
                return PageLayout.Html(SignInPage.Render(returnUrl, "That name cannot be used: " + DevSignIn.NameRule + "."), StatusCodes.Status400BadRequest);
            }

            signIn.SignIn(context.Response, user);
            return Results.Redirect(returnUrl);
        }).DisableAntiforgery();
        app.MapPost("/_sd/signout", (HttpContext context) =>
        {
            DevSignIn.SignOut(context.Response);
            return Results.Redirect("/_sd/signin");
        }).DisableAntiforgery();
        return app;
    }

    /// <summary>Only a local path: an open redirect would let a link send people elsewhere after sign-in.</summary>
    private static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
