using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SdAgones.Agent.WebUI;

/// <summary>The pod's SD WebUI (AUTOMATIC1111's API, started with <c>--api</c>), over plain sockets.</summary>
internal sealed class WebUIClient(IOptions<AgentOptions> options) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = options.Value.WebUIUrl,
        Timeout = TimeSpan.FromSeconds(10),
    };

    private readonly HttpClient loading = new(new SocketsHttpHandler { UseProxy = false })
    {
        BaseAddress = options.Value.WebUIUrl,
        Timeout = TimeSpan.FromMinutes(30),
    };

    /// <summary>
    /// True once the checkpoint is loaded and the API answers; false while the API routes do not exist yet (404).
    /// The page answering proves neither: A1111 serves Gradio while the model still loads in a background thread
    /// (modules/initialize.py <c>initialize_rest</c>). <c>POST /sdapi/v1/reload-checkpoint</c> (modules/api/api.py
    /// <c>Api.reloadapi</c>) reads <c>shared.sd_model</c>, which blocks in modules/sd_models.py
    /// <c>SdModelData.get_sd_model</c> on the lock the loading thread holds, so its 200 means "model loaded"; with the
    /// model already on its device it does no work.
    /// </summary>
    public async Task<bool> ModelLoadedAsync(CancellationToken ct)
    {
        using var content = JsonContent.Create(new { });
        using var response = await loading.PostAsync("sdapi/v1/reload-checkpoint", content, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }

        response.EnsureSuccessStatusCode();
        return true;
    }

    /// <summary>
    /// True when <c>GET /sdapi/v1/options</c> (the first call a WebUI page and most API clients make) answers 200.
    /// Asked once before Ready so the first person's request does not pay for the WebUI's first answer.
    /// </summary>
    public async Task<bool> AnswersReadsAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync("sdapi/v1/options", HttpCompletionOption.ResponseHeadersRead, ct);
        return response.IsSuccessStatusCode;
    }

    /// <summary>True while a generation runs or waits (<c>state.job_count</c> &gt; 0 or <c>progress</c> &gt; 0), as the cruiser reads it.</summary>
    public async Task<bool> IsGeneratingAsync(CancellationToken ct)
    {
        var root = await http.GetFromJsonAsync<JsonElement>(WebUIProgress.Path, ct);
        return WebUIProgress.IsGenerating(root);
    }

    /// <summary>Changes WebUI settings (<c>POST /sdapi/v1/options</c>); keys not given keep their values.</summary>
    public async Task SetOptionsAsync(IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync("sdapi/v1/options", settings, ct);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        http.Dispose();
        loading.Dispose();
    }
}

internal static class WebUIClientRegistration
{
    public static HostApplicationBuilder AddWebUIClient(this HostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WebUIClient>();
        return builder;
    }
}
