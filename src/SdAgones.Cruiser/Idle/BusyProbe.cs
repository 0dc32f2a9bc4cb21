using System.Text.Json;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Cruiser.Idle;

/// <summary>
/// Is a generation running? The agent's report (a GameServer annotation) settles "yes" without a call; since that
/// report can lag a generation that has just started by one poll, a "no" is checked with the WebUI's own
/// <c>/sdapi/v1/progress</c> before a runtime is reclaimed. A runtime that does not answer is not busy.
/// </summary>
public sealed class BusyProbe(AgonesClient agones) : IDisposable
{
    // A plain client: a probe must not retry, and one dead runtime must not open a breaker shared with the others.
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };

    public async Task<bool> IsBusyAsync(RuntimeSession session, CancellationToken ct)
    {
        var server = await agones.GetGameServerAsync(session.Runtime, ct);
        if (server?.Metadata.Annotations is { } annotations
            && annotations.TryGetValue(AgonesApi.BusyAnnotation, out var busy) && busy == "true")
        {
            return true;
        }

        try
        {
            using var response = await http.GetAsync(new Uri(session.Target, WebUIProgress.Path), ct);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            return WebUIProgress.IsGenerating(json.RootElement);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            return false;
        }
    }

    public void Dispose() => http.Dispose();
}
