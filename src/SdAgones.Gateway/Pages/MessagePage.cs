namespace SdAgones.Gateway.Pages;

/// <summary>A plain page for refusals and outages, so people never meet a bare status code.</summary>
internal static class MessagePage
{
    public static string Render(string title, string message) => PageLayout.Render(title, $"""
        <h1>{PageLayout.Encode(title)}</h1>
        <p class="error" id="message">{PageLayout.Encode(message)}</p>
        <p><a href="/_sd/">My runtime</a> · <a href="/">Open my WebUI</a></p>
        """);
}
