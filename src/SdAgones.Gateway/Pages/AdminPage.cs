using SdAgones.Gateway.Api;

namespace SdAgones.Gateway.Pages;

/// <summary>
/// <c>/_sd/admin</c>: every session, the fleet and the queue on one page, with a release button per session. The
/// page re-reads itself every few seconds and swaps in the fresh <c>#live</c> part, so there is one renderer only.
/// </summary>
internal static class AdminPage
{
    public static string Render(string admin, PlatformOverview overview)
    {
        var body = $"""
            <h1>Platform</h1>
            <p class="muted">Signed in as <b id="user">{PageLayout.Encode(admin)}</b> (administrator). This page refreshes itself every few seconds.</p>
            <p id="admin-status" role="status"></p>
            <div id="live">{Live(overview)}</div>
            """;
        return PageLayout.Render("Admin", body, PageLayout.LocalTimeScript + Script);
    }

    /// <summary>Per profile: Ready, Allocated, Starting and waiting (only with more than one profile).</summary>
    private static string Profiles(PlatformOverview overview) => overview.Profiles.Count < 2 ? "" : $"""
        <table id="profiles">
          <thead><tr><th>Profile</th><th>Fleet</th><th>Ready</th><th>Allocated</th><th>Starting</th><th>Waiting</th></tr></thead>
          <tbody>{string.Join("", overview.Profiles.Select(p => $"""
            <tr data-profile="{PageLayout.Encode(p.Profile)}">
              <td data-label="Profile"><b>{PageLayout.Encode(p.DisplayName)}</b> <span class="muted">{PageLayout.Encode(p.Profile)}</span></td>
              <td data-label="Fleet"><code>{PageLayout.Encode(p.Fleet)}</code></td>
              <td data-label="Ready" class="ready">{p.Runtimes.Ready}</td>
              <td data-label="Allocated" class="allocated">{p.Runtimes.Allocated}</td>
              <td data-label="Starting" class="starting">{p.Runtimes.Starting}</td>
              <td data-label="Waiting" class="waiting">{p.Waiting}</td>
            </tr>
            """))}</tbody>
        </table>
        """;

    private static string Live(PlatformOverview overview)
    {
        var rows = string.Join("", overview.Sessions.OrderBy(s => s.AllocatedAt).Select(s => $"""
            <tr data-user="{PageLayout.Encode(s.User)}">
              <td data-label="Person"><b>{PageLayout.Encode(s.User)}</b></td>
              <td data-label="Runtime"><code>{PageLayout.Encode(s.Runtime)}</code>{(s.State is null or "Allocated" ? "" : $" <span class=\"muted\">({PageLayout.Encode(s.State)})</span>")}</td>
              <td data-label="Node">{PageLayout.Encode(s.Node ?? "–")}</td>
              <td data-label="Allocated at">{PageLayout.Time(s.AllocatedAt)}</td>
              <td data-label="Last seen">{PageLayout.Time(s.LastSeen)}</td>
              <td data-label="Busy" class="busy">{(s.Busy ? "yes" : "no")}</td>
              <td><button type="button" class="release" data-user="{PageLayout.Encode(s.User)}">Release</button></td>
            </tr>
            """));
        var sessions = overview.Sessions.Count == 0
            ? """<p class="muted" id="no-sessions">Nobody has a runtime right now.</p>"""
            : $"""
              <table id="sessions">
                <thead><tr><th>Person</th><th>Runtime</th><th>Node</th><th>Allocated at</th><th>Last seen</th><th>Busy</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
              </table>
              """;
        var queue = overview.Queue.Count == 0
            ? """<p class="muted" id="queue-empty">Nobody is waiting.</p>"""
            : $"""<ol id="queue">{string.Join("", overview.Queue.Select(u => $"<li>{PageLayout.Encode(u)}</li>"))}</ol>""";
        return $"""
            <section class="card">
              <h2>Fleet</h2>
              <div class="stats">
                <div>Ready<b id="fleet-ready">{overview.Fleet.Ready}</b></div>
                <div>Allocated<b id="fleet-allocated">{overview.Fleet.Allocated}</b></div>
                <div>Starting<b id="fleet-starting">{overview.Fleet.Starting}</b></div>
                <div>Total<b id="fleet-total">{overview.Fleet.Total}</b></div>
              </div>
              {Profiles(overview)}
            </section>
            <section class="card">
              <h2>Sessions <span class="muted" id="session-count">({overview.Sessions.Count})</span></h2>
              {sessions}
            </section>
            <section class="card">
              <h2>Queue <span class="muted" id="queue-count">({overview.Queue.Count})</span></h2>
              {queue}
            </section>
            <section class="card">
              <h2>Recent session events <a class="muted" href="/_sd/api/admin/events?format=csv">(export)</a></h2>
              {Events(overview.Events)}
            </section>
            """;
    }

    private static string Events(IReadOnlyList<Runtimes.Sessions.SessionEvent> events)
    {
        if (events.Count == 0)
        {
            return """<p class="muted" id="no-events">No session events yet.</p>""";
        }

        var rows = string.Join("", events.Reverse().Select(e => $"""
            <tr>
              <td data-label="At">{PageLayout.Time(e.At)}</td>
              <td data-label="Person">{PageLayout.Encode(e.Person)}</td>
              <td data-label="Event">{PageLayout.Encode(e.State)}{(e.Reason is null ? "" : $" ({PageLayout.Encode(e.Reason)})")}</td>
              <td data-label="Runtime"><code>{PageLayout.Encode(e.Runtime ?? "–")}</code></td>
            </tr>
            """));
        return $"""
            <table id="events">
              <thead><tr><th>At</th><th>Person</th><th>Event</th><th>Runtime</th></tr></thead>
              <tbody>{rows}</tbody>
            </table>
            """;
    }

    private const string Script = """
        const live = document.getElementById('live');
        const status = document.getElementById('admin-status');
        async function refresh() {
          try {
            const response = await fetch(location.pathname, { cache: 'no-store' });
            if (!response.ok) return;
            const fresh = new DOMParser().parseFromString(await response.text(), 'text/html').getElementById('live');
            if (fresh) { live.replaceChildren(...fresh.childNodes); localTimes(live); }
          } catch { /* the next refresh will tell */ }
        }
        setInterval(refresh, 3000);
        live.addEventListener('click', async (event) => {
          const button = event.target.closest('button.release');
          if (!button) return;
          const user = button.dataset.user;
          if (!confirm('Release ' + user + '\'s runtime? Their WebUI stops at once, and their next request starts a new runtime.')) {
            status.className = '';
            status.textContent = 'Kept: ' + user + ' still has their runtime.';
            return;
          }
          button.disabled = true;
          status.className = '';
          status.textContent = 'Releasing ' + user + '…';
          try {
            const response = await fetch('/_sd/api/admin/sessions/' + encodeURIComponent(user) + '/release', { method: 'POST' });
            const body = await response.json();
            if (!response.ok) throw new Error(body.detail || 'Could not release ' + user + '.');
            status.className = body.released ? 'success' : 'notice';
            status.textContent = body.released
              ? 'Released ' + user + (body.runtime ? ' (runtime ' + body.runtime + ')' : '') + '. They will read: ' + body.notice
              : user + '\'s runtime had already been given back.';
          } catch (error) {
            status.className = 'error';
            status.textContent = error.message;
            button.disabled = false;
          }
          await refresh();
        });
        """;
}
