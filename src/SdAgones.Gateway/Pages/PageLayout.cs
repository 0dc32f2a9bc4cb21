using System.Globalization;
using System.Net;

namespace SdAgones.Gateway.Pages;

/// <summary>The one look of the gateway's own pages under <c>/_sd/</c>: readable on a phone, no framework.</summary>
internal static class PageLayout
{
    public static string Render(string title, string body, string? script = null) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Encode(title)}} · SdAgones</title>
        <link rel="icon" href="{{Favicon.Path}}">
        <style>
          :root { color-scheme: light dark; --accent: #6d5dfc; --muted: #888; }
          body { font-family: system-ui, sans-serif; margin: 0; padding: 1.5rem; max-width: 48rem; margin-inline: auto; line-height: 1.5; }
          header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 1px solid #8884; margin-bottom: 1rem; }
          header a { color: inherit; text-decoration: none; font-weight: 600; }
          h1 { font-size: 1.4rem; }
          .card { border: 1px solid #8886; border-radius: .75rem; padding: 1rem 1.25rem; margin: 1rem 0; }
          .stage { display: flex; gap: .5rem; flex-wrap: wrap; padding: 0; list-style: none; }
          .stage li { padding: .25rem .75rem; border-radius: 1rem; border: 1px solid #8886; color: var(--muted); }
          .stage li.done { color: inherit; }
          .stage li.current { background: var(--accent); color: white; border-color: var(--accent); }
          .big { font-size: 2.2rem; font-weight: 700; }
          .notice { background: #f5a62322; border: 1px solid #f5a623; border-radius: .5rem; padding: .5rem .75rem; }
          .success { background: #30a46c22; border: 1px solid #30a46c; border-radius: .5rem; padding: .5rem .75rem; }
          .error { background: #e5484d22; border: 1px solid #e5484d; border-radius: .5rem; padding: .5rem .75rem; }
          button, input[type=text] { font: inherit; padding: .5rem .9rem; border-radius: .5rem; border: 1px solid #8888; }
          button { background: var(--accent); color: white; border: none; cursor: pointer; }
          button.secondary { background: transparent; color: inherit; border: 1px solid #8888; }
          button:disabled { opacity: .5; cursor: progress; }
          a.button { display: inline-block; background: var(--accent); color: white; padding: .5rem .9rem; border-radius: .5rem; text-decoration: none; }
          .actions { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
          .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(6.5rem, 1fr)); gap: .5rem; }
          .stats div { border: 1px solid #8886; border-radius: .5rem; padding: .5rem .75rem; }
          .stats b { display: block; font-size: 1.6rem; }
          code { font-size: .95em; word-break: break-all; }
          table { border-collapse: collapse; width: 100%; font-size: .9rem; }
          th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #8884; }
          .muted { color: var(--muted); }
          @media (max-width: 40rem) { table, thead, tbody, tr, td, th { display: block; } thead { display: none; } td { border: none; padding: .1rem 0; } tr { border-bottom: 1px solid #8884; padding: .5rem 0; } td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); } }
        </style>
        </head>
        <body>
        <header><a href="/">SdAgones</a><span class="muted">your own Stable Diffusion</span></header>
        {{body}}
        {{(script is null ? "" : "<script>" + script + "</script>")}}
        </body>
        </html>
        """;

    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A moment in UTC that <see cref="LocalTimeScript"/> shows in the reader's own time zone.</summary>
    public static string Time(DateTimeOffset? at, string? id = null)
    {
        if (at is not { } moment)
        {
            return "<span class=\"muted\">–</span>";
        }

        var utc = moment.UtcDateTime;
        var machine = utc.ToString("yyyy-MM-dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);
        var text = utc.ToString("yyyy-MM-dd HH':'mm':'ss", CultureInfo.InvariantCulture) + " UTC";
        return $"<time{(id is null ? "" : $" id=\"{Encode(id)}\"")} datetime=\"{machine}\">{text}</time>";
    }

    /// <summary>Rewrites every <c>time[datetime]</c> under a root into the browser's local time.</summary>
    public const string LocalTimeScript = """
        function localTimes(root) {
          root.querySelectorAll('time[datetime]').forEach(t => { t.textContent = new Date(t.getAttribute('datetime')).toLocaleString(); });
        }
        localTimes(document);
        """;

    public static IResult Html(string html, int status = StatusCodes.Status200OK) =>
        Results.Content(html, "text/html; charset=utf-8", statusCode: status);
}
