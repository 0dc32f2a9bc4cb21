using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;
using SdAgones.WebUI.Api;
using SdAgones.WebUI.Files;
using SdAgones.WebUI.Generation;
using SdAgones.WebUI.ModelLoading;
using SdAgones.WebUI.Page;
using SdAgones.WebUI.Queue;
using SdAgones.WebUI.Settings;

namespace SdAgones.WebUI;

/// <summary>
/// Builds the A1111-shaped stand-in, so machines without a GPU (and tests, in-process) get a WebUI
/// that answers like the real one.
/// </summary>
public static class StandInWebUi
{
    /// <summary>
    /// Builds the app from command-line style arguments, e.g.
    /// <c>--urls http://127.0.0.1:0 --WebUI:StepDelay 00:00:00.001 --WebUI:DataRoot /tmp/webui</c>;
    /// start it with <c>Run</c> or <c>StartAsync</c>.
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        UseCodeDefaultsInsteadOfAppSettings(builder.Configuration);
        builder.AddStandInOptions();
        builder.ConfigureOpenTelemetry(); // exported over OTLP when the pod's environment names an endpoint
        builder.AddParentLifeline(); // a local runtime's process ends with LocalAgones
        builder.WebHost.KeepLongRequestsOpen();
        builder.Services.AddWebUiSettings();
        builder.Services.AddGeneration();
        builder.Services.AddQueue();
        builder.Services.AddFiles();
        builder.Services.AddModelLoading();

        var app = builder.Build();
        app.UseWebSockets();
        app.UseModelLoading();
        app.MapPage();
        app.MapSdApi();
        app.MapQueue();
        app.MapOutputFiles();
        app.MapUploads();
        return app;
    }

    // The build output is copied beside another web app; its appsettings*.json (Kestrel endpoints, URLs)
    // are not ours. Settings come from these code defaults, overridden by environment and command line.
    private static void UseCodeDefaultsInsteadOfAppSettings(ConfigurationManager configuration)
    {
        foreach (var source in configuration.Sources.OfType<JsonConfigurationSource>().ToList())
        {
            configuration.Sources.Remove(source);
        }

        configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            },
        });
    }
}
