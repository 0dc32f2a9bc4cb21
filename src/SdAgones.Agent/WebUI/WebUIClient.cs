using SdAgones.Runtimes.WebUI;
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

    /// <summary>True once the page a person would open answers 200 (models loaded, Gradio up).</summary>
    public async Task<bool> AnswersAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync("", HttpCompletionOption.ResponseHeadersRead, ct);
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

    public void Dispose() => http.Dispose();
}

internal static class WebUIClientRegistration
{
    public static HostApplicationBuilder AddWebUIClient(this HostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WebUIClient>();
        return builder;
    }
}
