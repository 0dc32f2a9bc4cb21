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
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
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
