using System.Globalization;
using SdAgones.Gateway.Allocation;

namespace SdAgones.Gateway.Pages;

/// <summary>
/// The waiting room, served at the URL the person asked for: queue position, stage, time waited and an estimate,
/// updated live over SSE; it reloads the same URL (now the WebUI) once the runtime is ready. A notice says plainly
/// when the person's previous runtime was restarted or reclaimed, another when their GPU time quota is near; with fair
/// share on it says why the order is not first come, first served.
/// </summary>
internal static class WaitingPage
{
    public static string Render(
        string user, AllocationOutcome outcome, string? notice, string? quotaNotice, string? order, double? estimateSeconds, TimeSpan waited,
        SdAgones.Contracts.Profiles.RuntimeProfile? profile = null)
    {
        var stages = new[] { WaitStage.Queued, WaitStage.Allocating, WaitStage.Starting, WaitStage.Ready };
        var items = string.Join("", stages.Select(s =>
            $"<li id=\"stage-{s.ToString().ToLowerInvariant()}\" class=\"{(s == outcome.Stage ? "current" : s < outcome.Stage ? "done" : "")}\">{s}</li>"));
        var position = outcome.QueuePosition?.ToString(CultureInfo.InvariantCulture) ?? "–";
        var waitedMs = ((long)Math.Max(0, waited.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        var body = $"""
            <h1>Getting your runtime ready</h1>
            <p class="notice" id="notice"{(notice is null ? " hidden" : "")}>{PageLayout.Encode(notice)}</p>
            <p class="notice" id="quota-notice"{(quotaNotice is null ? " hidden" : "")}>{PageLayout.Encode(quotaNotice)}</p>
            {(outcome.Problem is null ? "" : $"<p class=\"error\" id=\"problem\">{PageLayout.Encode(outcome.Problem)}</p>")}
            <div class="card">
              <div class="muted">Your place in the queue{(profile is null ? "" : $" for <b id=\"profile\" data-profile=\"{PageLayout.Encode(profile.Slug)}\">{PageLayout.Encode(profile.DisplayName)}</b>")}</div>
              <div class="big" id="position">{position}</div>
              {(order is null ? "" : $"<p class=\"muted\" id=\"order\">{PageLayout.Encode(order)}</p>")}
              <ul class="stage" id="stages">{items}</ul>
              <p id="next">{PageLayout.Encode(Api.NextStep.Waiting(outcome.Stage, outcome.QueuePosition))}</p>
              <p>Waiting for <b id="waited" data-waited-ms="{waitedMs}">{FormatSeconds(waited.TotalSeconds)}</b>
                · <span id="estimate">{Estimate(estimateSeconds)}</span></p>
            </div>
            <p class="muted">Signed in as <b id="user">{PageLayout.Encode(user)}</b>. <a href="/_sd/">My runtime</a></p>
            <noscript><meta http-equiv="refresh" content="5"></noscript>
            """;
        var script = (profile is null ? "const waitUrl = '/_sd/api/wait';\n" : $"const waitUrl = '/_sd/api/wait?profile={Uri.EscapeDataString(profile.Slug)}';\n") + """
            const started = Date.now() - Number(document.getElementById('waited').dataset.waitedMs || 0);
            const format = (seconds) => seconds < 60 ? seconds + ' s' : Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
            const showWaited = () => { document.getElementById('waited').textContent = format(Math.floor((Date.now() - started) / 1000)); };
            showWaited();
            setInterval(showWaited, 1000);
            const events = new EventSource(waitUrl);
            events.onmessage = (m) => {
              const s = JSON.parse(m.data);
              document.getElementById('position').textContent = s.queuePosition == null ? '–' : s.queuePosition;
              if (s.next) document.getElementById('next').textContent = s.next;
              const order = ['queued', 'allocating', 'starting', 'ready'];
              const current = order.indexOf(s.stage);
              order.forEach((name, i) => {
                const li = document.getElementById('stage-' + name);
                li.className = i === current ? 'current' : i < current ? 'done' : '';
              });
              if (s.estimateSeconds) document.getElementById('estimate').textContent = 'usually about ' + format(Math.ceil(s.estimateSeconds));
              const notice = document.getElementById('notice');
              if (s.notice) { notice.textContent = s.notice; notice.hidden = false; }
              const quota = document.getElementById('quota-notice');
              quota.textContent = s.quotaNotice || ''; quota.hidden = !s.quotaNotice;
              if (s.stage === 'ready') { events.close(); location.reload(); }
            };
            """;
        return PageLayout.Render("Waiting for your runtime", body, script);
    }

    private static string Estimate(double? seconds) => seconds is { } e
        ? "usually about " + FormatSeconds(Math.Ceiling(e))
        : "no estimate yet: it depends on when someone gives a runtime back";

    private static string FormatSeconds(double seconds)
    {
        var s = (long)Math.Max(0, seconds);
        return s < 60
            ? s.ToString(CultureInfo.InvariantCulture) + " s"
            : string.Create(CultureInfo.InvariantCulture, $"{s / 60} min {s % 60} s");
    }
}
