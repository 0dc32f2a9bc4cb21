using System.Globalization;
using SdAgones.Gateway.Pages;

namespace SdAgones.Gateway.Files;

/// <summary>The "My files" page: outputs with preview, download and delete; inputs with an upload form.</summary>
internal static class MyFilesPage
{
    public const string Deleted = "deleted";
    public const string Uploaded = "uploaded";

    public static string Render(IReadOnlyList<StoredFile> outputs, IReadOnlyList<StoredFile> inputs, string? done)
    {
        var notice = done switch
        {
            Deleted => "<p class=\"notice\" id=\"notice\">The file was deleted.</p>",
            Uploaded => "<p class=\"notice\" id=\"notice\">Uploaded. Your next runtime has it in its inputs folder.</p>",
            _ => "",
        };
        var outputRows = outputs.Count == 0
            ? "<tr><td colspan=\"4\" class=\"muted\">Nothing yet: pictures you generate appear here.</td></tr>"
            : string.Concat(outputs.Select(file => $"""
                <tr data-file="{PageLayout.Encode(file.Path)}">
                  <td data-label="File"><a href="{Href("outputs", file.Path)}">{PageLayout.Encode(file.Path)}</a></td>
                  <td data-label="Size">{Size(file.Bytes)}</td>
                  <td data-label="Saved">{PageLayout.Time(file.Written)}</td>
                  <td class="actions"><a href="{Href("outputs", file.Path)}?download=true">Download</a>
                    <form method="post" action="/_sd/files/delete"><input type="hidden" name="path" value="{PageLayout.Encode(file.Path)}"><button type="submit" class="secondary">Delete</button></form></td>
                </tr>
                """));
        var inputRows = inputs.Count == 0
            ? "<li class=\"muted\">No inputs uploaded.</li>"
            : string.Concat(inputs.Select(file => $"<li><a href=\"{Href("inputs", file.Path)}\">{PageLayout.Encode(file.Path)}</a> <span class=\"muted\">{Size(file.Bytes)}</span></li>"));
        var body = $"""
            <h1>My files</h1>
            {notice}
            <div class="card">
              <h2>Outputs</h2>
              <table id="outputs"><thead><tr><th>File</th><th>Size</th><th>Saved</th><th></th></tr></thead><tbody>{outputRows}</tbody></table>
            </div>
            <div class="card">
              <h2>Inputs</h2>
              <ul id="inputs">{inputRows}</ul>
              <form method="post" action="/_sd/files/upload" enctype="multipart/form-data" class="actions">
                <input type="file" name="file" required><button type="submit">Upload</button>
              </form>
            </div>
            <p><a href="/_sd/">My runtime</a> · <a href="/">Open my WebUI</a></p>
            """;
        return PageLayout.Render("My files", body, PageLayout.LocalTimeScript);
    }

    private static string Href(string area, string path) =>
        $"/_sd/files/{area}/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
    };
}
