namespace SdAgones.WebUI;

/// <summary>
/// Gradio keeps WebSocket/SSE streams open for minutes and uploads big files over slow links; Kestrel's
/// data-rate guards would cut them, so they are off here (uploads also lift the body size limit per request).
/// </summary>
internal static class LongRequests
{
    public static IWebHostBuilder KeepLongRequestsOpen(this IWebHostBuilder webHost) =>
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
        });
}
