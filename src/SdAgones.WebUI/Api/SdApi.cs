using System.Text.Json.Nodes;

namespace SdAgones.WebUI.Api;

/// <summary>The A1111 HTTP API subset that clients and the in-pod agent call.</summary>
internal static class SdApi
{
    public static WebApplication MapSdApi(this WebApplication app)
    {
        var sdapi = app.MapGroup("/sdapi/v1");
        sdapi.MapPost("/txt2img", Txt2ImgEndpoint.HandleAsync);
        sdapi.MapGet("/progress", ProgressEndpoint.Handle);
        sdapi.MapGet("/options", OptionsEndpoints.Get);
        sdapi.MapPost("/options", OptionsEndpoints.SetAsync);

        // A1111 reports its command-line flags here; data_dir tells which runtime (and so which pod) answered.
        sdapi.MapGet("/cmd-flags", (Settings.DataFolders folders) => Results.Json(new JsonObject
        {
            ["data_dir"] = folders.Root,
            ["listen"] = true,
            ["api"] = true,
        }));

        // A1111 answers this for health checks once the UI is up.
        app.MapGet("/internal/ping", () => Results.Json(new JsonObject()));
        return app;
    }
}
