using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SdAgones.Agent.Sdk;

/// <summary>
/// The Agones SDK sidecar's REST API (Agones' pkg/sdkserver, served by the sidecar's HTTP gateway), over plain sockets: no shared resilience pipeline, so a failure
/// is seen as it is and never trips a breaker that would silence the health pings.
/// </summary>
internal sealed class SdkClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly HttpClient http;
    private readonly HttpClient watchHttp;

    public SdkClient(IOptions<AgentOptions> options)
    {
        var sdk = options.Value.SdkUrl;
        http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = sdk, Timeout = TimeSpan.FromSeconds(5) };
        watchHttp = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = sdk, Timeout = Timeout.InfiniteTimeSpan };
    }

    public Task HealthAsync(CancellationToken ct) => PostAsync("health", ct);

    public Task ReadyAsync(CancellationToken ct) => PostAsync("ready", ct);

    public async Task<SdkGameServer> GetGameServerAsync(CancellationToken ct) =>
        await http.GetFromJsonAsync<SdkGameServer>("gameserver", Json, ct) ?? throw new JsonException("empty GameServer");

    /// <summary>Sets annotation <c>agones.dev/sdk-<paramref name="key"/></c> on this GameServer.</summary>
    public async Task SetAnnotationAsync(string key, string value, CancellationToken ct)
    {
        using var response = await http.PutAsJsonAsync("metadata/annotation", new { key, value }, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every change to this GameServer until the stream breaks (then the caller reconnects).</summary>
    public async IAsyncEnumerable<SdkGameServer> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        using var response = await watchHttp.GetAsync("watch/gameserver", HttpCompletionOption.ResponseHeadersRead, ct);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length > 0 && JsonSerializer.Deserialize<WatchEvent>(line, Json)?.Result is { } server)
            {
                yield return server;
            }
        }
    }

    public void Dispose()
    {
        http.Dispose();
        watchHttp.Dispose();
    }

    private async Task PostAsync(string path, CancellationToken ct)
    {
        using var content = JsonContent.Create(new { });
        using var response = await http.PostAsync(path, content, ct);
        response.EnsureSuccessStatusCode();
    }

    private sealed record WatchEvent(SdkGameServer? Result);
}

/// <summary>The GameServer as the SDK shows it (snake_case <c>object_meta</c> and <c>status</c>).</summary>
internal sealed record SdkGameServer(SdkObjectMeta? ObjectMeta, SdkStatus? Status)
{
    public string? State => Status?.State;

    public string? Label(string key) => ObjectMeta?.Labels is { } labels && labels.TryGetValue(key, out var value) ? value : null;
}

internal sealed record SdkObjectMeta(string? Name, Dictionary<string, string>? Labels, Dictionary<string, string>? Annotations);

internal sealed record SdkStatus(string? State);

internal static class SdkClientRegistration
{
    public static HostApplicationBuilder AddSdkClient(this HostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SdkClient>();
        return builder;
    }
}
