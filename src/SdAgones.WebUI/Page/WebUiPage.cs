namespace SdAgones.WebUI.Page;

/// <summary><c>GET /</c>: a one-screen page to type a prompt, press Generate, watch progress and see the picture.</summary>
internal static class WebUiPage
{
    public static WebApplication MapPage(this WebApplication app)
    {
        app.MapGet("/", () => Results.Content(Html, "text/html; charset=utf-8"));
        return app;
    }

    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Stable Diffusion (stand-in)</title>
        <style>
          body { font-family: system-ui, sans-serif; background: #0b0f19; color: #e5e7eb; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
          h1 { font-size: 1.4rem; }
          .note { color: #9ca3af; font-size: .9rem; }
          textarea, input { background: #1f2937; color: inherit; border: 1px solid #374151; border-radius: 6px; padding: .5rem; font: inherit; }
          textarea { width: 100%; box-sizing: border-box; min-height: 5rem; }
          .row { display: flex; gap: 1rem; align-items: end; margin: .75rem 0; flex-wrap: wrap; }
          .row input { width: 8rem; }
          button { background: #f97316; color: #fff; border: 0; border-radius: 6px; padding: .6rem 1.6rem; font: inherit; font-weight: 600; cursor: pointer; }
          button:disabled { opacity: .5; cursor: progress; }
          #progress { min-height: 1.5em; color: #9ca3af; }
          #result { display: block; max-width: 100%; margin-top: 1rem; border-radius: 8px; }
          #result:not([src]) { display: none; }
        </style>
        </head>
        <body>
        <h1>Stable Diffusion (stand-in)</h1>
        <p class="note">No GPU on this machine: pictures are drawn from the prompt and seed, not by a model.</p>
        <label for="prompt">Prompt</label>
        <textarea id="prompt" placeholder="a lighthouse at dusk, oil painting">a lighthouse at dusk, oil painting</textarea>
        <div class="row">
          <label>Seed<br><input id="seed" type="number" value="-1" min="-1"></label>
          <label>Steps<br><input id="steps" type="number" value="20" min="1" max="150"></label>
          <button id="generate" type="button">Generate</button>
        </div>
        <p id="progress" role="status">Ready.</p>
        <img id="result" alt="Generated image">
        <script>
          const byId = id => document.getElementById(id);
          const say = text => { byId('progress').textContent = text; };

          async function watchProgress(isRunning) {
            while (isRunning()) {
              try {
                const p = await (await fetch('sdapi/v1/progress')).json();
                if (isRunning() && p.state.job) {
                  say(`Step ${p.state.sampling_step} of ${p.state.sampling_steps} (${Math.round(p.progress * 100)}%), about ${p.eta_relative.toFixed(1)} s left`);
                }
              } catch { /* the next poll will tell */ }
              await new Promise(resolve => setTimeout(resolve, 250));
            }
          }

          // Generates as A1111's Gradio 3.41 page does, over the /queue/join WebSocket (gradio/routes.py join_queue):
          // answer send_hash, then send the inputs when asked (send_data), until process_completed.
          function generate(data) {
            return new Promise((resolve, reject) => {
              const url = new URL('queue/join', location.href);
              url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
              const socket = new WebSocket(url);
              const session_hash = Math.random().toString(36).slice(2, 13);
              let finished = false;
              socket.onmessage = event => {
                const m = JSON.parse(event.data);
                if (m.msg === 'send_hash') socket.send(JSON.stringify({ session_hash, fn_index: 0 }));
                else if (m.msg === 'estimation' && m.rank > 0) say(`Waiting in the queue: ${m.rank} ahead…`);
                else if (m.msg === 'send_data') socket.send(JSON.stringify({ data, event_data: null, fn_index: 0, session_hash }));
                else if (m.msg === 'process_completed') {
                  finished = true;
                  if (m.success) resolve(m.output); else reject(new Error(m.output.error || 'Generation failed.'));
                }
              };
              socket.onclose = () => { if (!finished) reject(new Error('The connection to the WebUI closed before the image was done.')); };
            });
          }

          byId('generate').addEventListener('click', async () => {
            const button = byId('generate');
            button.disabled = true;
            say('Waiting for the GPU…');
            let running = true;
            watchProgress(() => running);
            try {
              // The stand-in's txt2img inputs: [prompt, negative_prompt, seed, steps, width, height].
              const output = await generate([byId('prompt').value, '', Number(byId('seed').value), Number(byId('steps').value), null, null]);
              running = false;
              byId('result').src = output.data[0][0].data;
              const seed = /Seed: (\d+)/.exec(output.data[1]);
              say(`Done. Seed ${seed ? seed[1] : '?'}.`);
            } catch (error) {
              say(error.message);
            } finally {
              running = false;
              button.disabled = false;
            }
          });
        </script>
        </body>
        </html>
        """;
}
