namespace SdAgones.LocalAgones.Pods;

/// <summary>
/// Until the in-pod agent (SdAgones.Agent) runs beside each WebUI, this does its first job the same way, over the
/// same HTTP: ping the SDK's <c>/health</c> from the start, and call <c>/ready</c> once the WebUI answers 200.
/// </summary>
internal static partial class StandInAgent
{
    public static async Task RunAsync(RuntimePod pod, HttpClient http, ILogger logger, CancellationToken ct)
    {
        var sdk = new Uri($"http://127.0.0.1:{pod.SdkPort}/");
        var webUI = new Uri($"http://127.0.0.1:{pod.WebUIPort}/");
        var ready = false;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        var tick = 0;
        try
        {
            do
            {
                if (tick++ % 8 == 0)
                {
                    await TryPostAsync(http, new Uri(sdk, "health"), ct);
                }

                if (!ready && await AnswersAsync(http, webUI, ct))
                {
                    ready = await TryPostAsync(http, new Uri(sdk, "ready"), ct);
                    if (ready)
                    {
                        LogReady(logger, pod.Name);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // the pod is stopping
        }
    }

    private static async Task<bool> AnswersAsync(HttpClient http, Uri url, CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<bool> TryPostAsync(HttpClient http, Uri url, CancellationToken ct)
    {
        try
        {
            using var response = await http.PostAsync(url, new StringContent("{}"), ct);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime {Runtime}: WebUI answers, marked Ready")]
    private static partial void LogReady(ILogger logger, string runtime);
}
