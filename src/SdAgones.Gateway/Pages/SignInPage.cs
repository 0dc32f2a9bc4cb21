namespace SdAgones.Gateway.Pages;

internal static class SignInPage
{
    public static string Render(string returnUrl, string? error) => PageLayout.Render("Sign in", $"""
        <h1>Sign in (development)</h1>
        <p class="muted">Locally, the gateway trusts the name you type. In production, Google IAP signs you in.</p>
        {(error is null ? "" : $"<p class=\"error\">{PageLayout.Encode(error)}</p>")}
        <form method="post" action="/_sd/signin" class="card">
          <input type="hidden" name="returnUrl" value="{PageLayout.Encode(returnUrl)}">
          <label for="name">Your name</label><br>
          <input type="text" id="name" name="name" autofocus autocomplete="username" maxlength="64" required>
          <button type="submit" id="signin">Sign in</button>
        </form>
        """);
}
