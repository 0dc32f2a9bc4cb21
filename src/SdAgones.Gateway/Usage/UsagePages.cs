using System.Text;
using SdAgones.Gateway.Pages;
using SdAgones.Runtimes.Usage;

namespace SdAgones.Gateway.Usage;

/// <summary>The usage parts of the gateway's pages: "my usage", the refusal at the quota, the admin overview.</summary>
internal static class UsagePages
{
    /// <summary>A person's usage card: today, this week, what is left, the 14-day chart.</summary>
    public static string Mine(PersonUsage me) => $"""
        <section class="card" id="my-usage">
          <h2>My GPU time</h2>
          {(me.Notice is { } notice ? $"""<p class="notice" id="quota-notice">{PageLayout.Encode(notice)}</p>""" : "")}
          <div class="stats">
            <div>Today<b id="usage-today">{Hours(me.TodaySeconds)}</b></div>
            <div>This week<b id="usage-week">{Hours(me.WeekSeconds)}</b></div>
            <div>Left<b id="usage-left">{(me.LeftSeconds is { } left ? Hours(left) : "no limit")}</b></div>
          </div>
          {UsageChart.Svg([.. me.Days.Select(d => (UsageCalendar.Parse(d.Day), d.GpuSeconds))], me.DailyLimitSeconds is { } d ? TimeSpan.FromSeconds(d) : null, "usage-chart")}
          <p class="muted">GPU time is the time a runtime is yours × its GPUs. {(me.ResetAt is { } reset ? $"Your limit starts over at {PageLayout.Time(reset)}." : "")}</p>
        </section>
        """;

    /// <summary>Adds the usage card to a page already rendered (the "my runtime" page), before its closing body tag.</summary>
    public static string AddTo(string page, PersonUsage me)
    {
        var at = page.LastIndexOf("</body>", StringComparison.Ordinal);
        return at < 0 ? page : page.Insert(at, Mine(me) + "\n");
    }

    /// <summary>Adds a link to the usage overview to the admin page already rendered.</summary>
    public static string LinkFromAdmin(string page)
    {
        var at = page.LastIndexOf("</body>", StringComparison.Ordinal);
        return at < 0 ? page : page.Insert(at, "<p><a id=\"usage-link\" href=\"/_sd/admin/usage\">GPU time per person, profile and day</a></p>\n");
    }

    public static string Refused(string detail, string? notice, DateTimeOffset reset) => PageLayout.Render("GPU time used up", $"""
        <h1>Your GPU time is used up</h1>
        {(notice is null ? "" : $"""<p class="notice" id="notice">{PageLayout.Encode(notice)}</p>""")}
        <p class="error" id="message">{PageLayout.Encode(detail)}</p>
        <p>You can start a runtime again from {PageLayout.Time(reset, "reset")}, or ask an administrator for an extension.</p>
        <p><a href="/_sd/usage">My usage</a> · <a href="/_sd/">My runtime</a></p>
        """, PageLayout.LocalTimeScript);

    public static string Admin(UsageOverview overview, string? granted)
    {
        var people = new StringBuilder();
        foreach (var person in overview.People)
        {
            people.Append($"""<tr><td data-label="Person">{PageLayout.Encode(person.Name)}</td><td data-label="GPU time">{Hours(person.GpuSeconds)}</td></tr>""");
        }

        var profiles = new StringBuilder();
        foreach (var profile in overview.Profiles)
        {
            profiles.Append($"""<tr><td data-label="Profile">{PageLayout.Encode(profile.Name)}</td><td data-label="GPU time">{Hours(profile.GpuSeconds)}</td></tr>""");
        }

        var since = UsageCalendar.Name(overview.Since);
        var until = UsageCalendar.Name(overview.Until);
        return PageLayout.Render("Usage", $"""
            <h1>GPU time</h1>
            {(string.IsNullOrEmpty(granted) ? "" : $"""<p class="notice" id="granted">Extension granted to {PageLayout.Encode(granted)}.</p>""")}
            <section class="card"><h2>Per day, {since} to {until}</h2>{UsageChart.Svg(overview.Days, null, "usage-days")}</section>
            <section class="card"><h2>Top people</h2><table id="usage-people"><thead><tr><th>Person</th><th>GPU time</th></tr></thead><tbody>{people}</tbody></table></section>
            <section class="card"><h2>Per profile</h2><table id="usage-profiles"><thead><tr><th>Profile</th><th>GPU time</th></tr></thead><tbody>{profiles}</tbody></table></section>
            <section class="card"><h2>One-off extension</h2>
              <form method="post" action="/_sd/api/admin/usage/extension" id="extension" class="actions">
                <input type="text" name="user" placeholder="person@example.com" required aria-label="Person">
                <input type="text" name="minutes" value="60" inputmode="numeric" size="5" aria-label="Minutes"> minutes
                <button type="submit">Grant</button>
              </form>
              <p class="muted">Adds GPU time on top of the person's limits until their current limit starts over.</p>
            </section>
            <p>Export: <a href="/_sd/api/admin/usage?format=csv&amp;since={since}&amp;until={until}">CSV</a> ·
              <a href="/_sd/api/admin/usage?format=jsonl&amp;since={since}&amp;until={until}">JSON lines</a> ·
              <a href="/_sd/admin">Platform</a></p>
            """);
    }

    private static string Hours(double seconds) => QuotaPolicy.Describe(TimeSpan.FromSeconds(seconds));
}
