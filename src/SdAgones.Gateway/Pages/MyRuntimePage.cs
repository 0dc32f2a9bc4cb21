using System.Globalization;
using SdAgones.Gateway.Api;

namespace SdAgones.Gateway.Pages;

/// <summary>
/// <c>/_sd/</c>: who I am, my runtime and since when, how long until it is reclaimed if I leave it idle, and a way to
/// give the GPU back myself.
/// </summary>
internal static class MyRuntimePage
{
    /// <param name="choices">The profile cards (<see cref="Profiles.ProfileCards"/>) for a person with more than one profile to choose from.</param>
    public static string Render(PersonSession me, bool developmentMode, string? choices = null)
    {
        var details = me.State switch
        {
            "ready" => $"""
                <div id="runtime-details">
                  <p>Your runtime <code id="runtime">{PageLayout.Encode(me.Runtime)}</code> since {PageLayout.Time(me.AllocatedAt, "since")}{(me.Node is null ? "" : $" <span class=\"muted\">on {PageLayout.Encode(me.Node)}</span>")}.</p>
                  <p id="busy"{(me.Busy ? "" : " hidden")}>A generation is running, so it does not count as idle.</p>
                  <div class="muted">Given back if left idle for</div>
                  <div class="big" id="countdown" data-reclaim-at="{Iso(me.ReclaimAt)}">–</div>
                  <p class="muted">Last activity {PageLayout.Time(me.LastSeen, "last-seen")}. Any use of your WebUI resets the countdown.</p>
                  <p id="next">{PageLayout.Encode(me.Next)}</p>
                </div>
                <div class="actions">
                  <a class="button" id="open-webui" href="/">Open my WebUI</a>
                  <button type="button" id="release">Give my GPU back</button>
                </div>
                <p id="release-result" role="status"></p>
                """,
            "waiting" => $"""
                <p id="runtime-state">You have no runtime yet: you are number <b id="position">{me.QueuePosition}</b> in the queue.</p>
                <p id="next">{PageLayout.Encode(me.Next)}</p>
                <div class="actions"><a class="button" id="open-webui" href="/">Go to the waiting room</a></div>
                """,
            _ => $"""
                <p id="runtime-state">You have no runtime right now.</p>
                <p id="next">{PageLayout.Encode(me.Next)}</p>
                <div class="actions"><a class="button" id="open-webui" href="/">Get a runtime</a></div>
                """,
        };
        var body = $"""
            <h1>My runtime</h1>
            {(me.Notice is null ? "" : $"<p class=\"notice\" id=\"notice\">{PageLayout.Encode(me.Notice)}</p>")}
            <div class="card" id="runtime-card" data-state="{PageLayout.Encode(me.State)}" data-runtime="{PageLayout.Encode(me.Runtime)}">
              <p>Signed in as <b id="user">{PageLayout.Encode(me.User)}</b></p>
              {details}
            </div>
            {choices}
            {(developmentMode ? """<form method="post" action="/_sd/signout"><button type="submit" class="secondary" id="signout">Sign out</button></form>""" : "")}
            """;
        return PageLayout.Render("My runtime", body, PageLayout.LocalTimeScript + Script);
    }

    private static string Iso(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture) ?? "";

    private const string Script = """
        const card = document.getElementById('runtime-card');
        const countdown = document.getElementById('countdown');
        function tick() {
          if (!countdown) return;
          const at = Date.parse(countdown.dataset.reclaimAt);
          if (isNaN(at)) { countdown.textContent = '–'; return; }
          const left = Math.max(0, Math.round((at - Date.now()) / 1000));
          countdown.textContent = left === 0 ? 'any moment now'
            : (left >= 3600 ? Math.floor(left / 3600) + ':' + String(Math.floor(left / 60) % 60).padStart(2, '0') : Math.floor(left / 60))
              + ':' + String(left % 60).padStart(2, '0');
        }
        tick();
        const ticking = setInterval(tick, 1000);

        // Activity elsewhere moves the deadline; a reclaim or a new runtime changes the whole page.
        const polling = setInterval(async () => {
          try {
            const response = await fetch('/_sd/api/session', { cache: 'no-store' });
            if (!response.ok) return;
            const s = await response.json();
            if (s.state !== card.dataset.state || (s.runtime || '') !== card.dataset.runtime) { location.reload(); return; }
            if (countdown) countdown.dataset.reclaimAt = s.reclaimAt || '';
            const busy = document.getElementById('busy');
            if (busy) busy.hidden = !s.busy;
          } catch { /* the next poll will tell */ }
        }, 10000);

        const release = document.getElementById('release');
        if (release) release.addEventListener('click', async () => {
          const result = document.getElementById('release-result');
          if (!confirm('Give your GPU back now? Your WebUI stops, and your next request starts a new runtime.')) {
            result.className = '';
            result.textContent = 'Kept: your runtime is still yours.';
            return;
          }
          release.disabled = true;
          result.className = '';
          try {
            const response = await fetch('/_sd/api/session/release', { method: 'POST' });
            const body = await response.json();
            if (!response.ok) throw new Error(body.detail || 'Could not give the runtime back.');
            clearInterval(polling);
            clearInterval(ticking);
            document.getElementById('runtime-details').hidden = true;
            release.hidden = true;
            document.getElementById('open-webui').textContent = 'Get a new runtime';
            result.className = body.released ? 'success' : 'notice';
            result.textContent = body.next;
          } catch (error) {
            result.className = 'error';
            result.textContent = error.message;
            release.disabled = false;
          }
        });
        """;
}
