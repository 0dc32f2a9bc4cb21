using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using SdAgones.WebUI.Settings;

namespace SdAgones.WebUI.Api;

/// <summary>The A1111 HTTP API subset that clients and the in-pod agent call; present only with <c>--api</c>, as in A1111.</summary>
internal static class SdApi
{
    /// <summary>The stand-in's own debugging route: the request headers it received, so tests see what the gateway passes on.</summary>
    public const string HeadersPath = "/_standin/headers";

    /// <summary>The stand-in's own route: the profile and GPU it was started with (LocalAgones passes its Fleet's).</summary>
    public const string ProfilePath = "/_standin/profile";

    public static WebApplication MapSdApi(this WebApplication app)
    {
        var flags = app.Services.GetRequiredService<LaunchFlags>();
        if (flags.Api)
        {
            var sdapi = app.MapGroup("/sdapi/v1");
            sdapi.MapPost("/txt2img", Txt2ImgEndpoint.HandleAsync);
            sdapi.MapGet("/progress", ProgressEndpoint.Handle);
            sdapi.MapGet("/options", OptionsEndpoints.Get);
            sdapi.MapPost("/options", OptionsEndpoints.SetAsync);
            sdapi.MapGet("/cmd-flags", CommandLineFlags);
            sdapi.MapGet("/memory", RuntimeMemory.Get);
        }

        // A1111 answers this for health checks once the UI is up.
        app.MapGet("/internal/ping", () => Results.Json(new JsonObject()));
        app.MapGet(ProfilePath, (IOptions<StandInOptions> options) => Results.Json(new JsonObject
        {
            ["profile"] = options.Value.Profile,
            ["gpu_type"] = options.Value.GpuType,
            ["gpu_count"] = options.Value.GpuCount,
            ["gpu_memory_gib"] = options.Value.GpuMemoryGiB,
        }));
        app.MapGet(HeadersPath, (HttpRequest request) => Results.Json(new JsonObject(
            request.Headers.Select(header => KeyValuePair.Create(header.Key.ToLowerInvariant(), (JsonNode?)JsonValue.Create(header.Value.ToString()))))));
        return app;
    }

    /// <summary>
    /// A1111 reports its command-line flags (argparse names with underscores); data_dir also tells which runtime, and so
    /// which pod, answered.
    /// </summary>
    private static IResult CommandLineFlags(LaunchFlags flags, DataFolders folders) => Results.Json(new JsonObject
    {
        ["api"] = flags.Api,
        ["listen"] = flags.Listen,
        ["port"] = flags.Port,
        ["hide_ui_dir_config"] = flags.HideUiDirConfig,
        ["freeze_settings"] = flags.FreezeSettings,
        ["api_auth"] = null,
        ["data_dir"] = folders.Root,
        ["models_dir"] = folders.Models,
        ["gradio_allowed_path"] = new JsonArray([.. flags.GradioAllowedPaths.Select(path => (JsonNode?)JsonValue.Create(path))]),
        ["medvram"] = flags.CardFlags.Contains("--medvram"),
        ["lowvram"] = flags.CardFlags.Contains("--lowvram"),
        ["xformers"] = flags.CardFlags.Contains("--xformers"),
        ["no_half_vae"] = flags.CardFlags.Contains("--no-half-vae"),
        ["opt_sdp_attention"] = flags.CardFlags.Contains("--opt-sdp-attention"),
    });
}
