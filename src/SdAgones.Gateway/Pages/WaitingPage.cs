using SdAgones.Gateway.Allocation;

namespace SdAgones.Gateway.Pages;

/// <summary>
/// The waiting room, served at the URL the person asked for: queue position, stage, time waited and an estimate,
/// updated live over SSE; it reloads the same URL (now the WebUI) once the runtime is ready.
/// </summary>
internal static class WaitingPage
{
    public static string Render(string user, AllocationOutcome outcome, string? notice, double? estimateSeconds)
    {
        var stages = new[] { WaitStage.Queued, WaitStage.Allocating, WaitStage.Starting, WaitStage.Ready };
        var items = string.Join("", stages.Select(s =>
            $"<li id=\"stage-{s.ToString().ToLowerInvariant()}\" class=\"{(s == outcome.Stage ? "current" : s < outcome.Stage ? "done" : "")}\">{s}</li>"));
        var position = outcome.QueuePosition is { } p ? (p + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "–";
        var body = $"""
            <h1>Getting your runtime ready</h1>
            {(notice is null ? "" : $"<p class=\"notice\" id=\"notice\">{PageLayout.Encode(notice)}</p>")}
            {(outcome.Problem is null ? "" : $"<p class=\"error\" id=\"problem\">{PageLayout.Encode(outcome.Problem)}</p>")}
            <div class="card">
              <div class="muted">Your place in the queue</div>
              <div class="big" id="position">{position}</div>
              <ul class="stage" id="stages">{items}</ul>
              <p>Waiting for <span id="waited">0</span> s<span id="estimate">{(estimateSeconds is { } e ? $" · usually about {Math.Ceiling(e)} s" : "")}</span></p>
            </div>
            <p class="muted">Signed in as <b id="user">{PageLayout.Encode(user)}</b>. This page moves on to your WebUI by itself.</p>
            <noscript><meta http-equiv="refresh" content="5"></noscript>
            """;
        const string script = """
            const started = Date.now();
            setInterval(() => { document.getElementById('waited').textContent = Math.floor((Date.now() - started) / 1000); }, 1000);
            const events = new EventSource('/_sd/api/wait');
            events.onmessage = (m) => {
              const s = JSON.parse(m.data);
              document.getElementById('position').textContent = s.queuePosition == null ? '–' : s.queuePosition + 1;
              const order = ['queued', 'allocating', 'starting', 'ready'];
              const current = order.indexOf(s.stage);
              order.forEach((name, i) => {
                const li = document.getElementById('stage-' + name);
                li.className = i === current ? 'current' : i < current ? 'done' : '';
              });
              if (s.estimateSeconds) document.getElementById('estimate').textContent = ' · usually about ' + Math.ceil(s.estimateSeconds) + ' s';
              if (s.stage === 'ready') { events.close(); location.reload(); }
            };
            """;
        return PageLayout.Render("Waiting for your runtime", body, script);
    }
}
