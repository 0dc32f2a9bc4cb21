using Microsoft.Extensions.Options;

namespace SdAgones.WebUI.ModelLoading;

/// <summary>
/// Setting <c>WebUI:ModelLoadDelay</c>: how long the stand-in takes to load its checkpoint after starting (0 = loaded
/// at once). A bad value stops the process naming the key.
/// </summary>
public sealed class ModelLoadingOptions
{
    /// <summary>The longest load accepted.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    public TimeSpan ModelLoadDelay { get; set; } = TimeSpan.Zero;
}

/// <summary>
/// AUTOMATIC1111's start-up, reproduced: the checkpoint loads in a background thread while the page is served
/// (modules/initialize.py <c>initialize_rest</c> starts <c>load_model</c> on a <c>Thread</c>; webui.py <c>webui()</c>
/// launches Gradio, then <c>create_api</c> adds the <c>/sdapi</c> routes). So for a while <c>/</c> answers 200 and
/// <c>/sdapi/*</c> 404; once the routes exist, every call that touches <c>shared.sd_model</c> waits for the load
/// (modules/sd_models.py <c>SdModelData.get_sd_model</c> takes the lock the loading thread holds). Here the routes
/// appear at half the load time; <c>POST /sdapi/v1/reload-checkpoint</c> (modules/api/api.py <c>Api.reloadapi</c>:
/// <c>send_model_to_device(shared.sd_model)</c>) and generations wait until the model is loaded.
/// </summary>
internal sealed class ModelLoader(IOptions<ModelLoadingOptions> options, TimeProvider time) : BackgroundService
{
    private readonly TaskCompletionSource routes = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool RoutesReady => routes.Task.IsCompleted;

    public Task Loaded => loaded.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = options.Value.ModelLoadDelay;
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay / 2, time, stoppingToken);
            }

            routes.TrySetResult();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay - delay / 2, time, stoppingToken);
            }

            loaded.TrySetResult();
        }
        catch (OperationCanceledException)
        {
            loaded.TrySetCanceled(stoppingToken);
        }
    }
}

internal static class ModelLoadingRegistration
{
    private static readonly PathString SdApi = "/sdapi";
    private static readonly HashSet<string> NeedTheModel = ["/sdapi/v1/txt2img", "/sdapi/v1/img2img", "/sdapi/v1/reload-checkpoint"];

    public static IServiceCollection AddModelLoading(this IServiceCollection services)
    {
        services.AddOptions<ModelLoadingOptions>()
            .BindConfiguration(StandInOptions.Section)
            .ValidateSetting($"{StandInOptions.Section}:{nameof(ModelLoadingOptions.ModelLoadDelay)}", o => o.ModelLoadDelay,
                o => o.ModelLoadDelay >= TimeSpan.Zero && o.ModelLoadDelay <= ModelLoadingOptions.MaxDelay, $"use 00:00:00 to {ModelLoadingOptions.MaxDelay:c}, e.g. 00:00:01")
            .ValidateOnStart();
        services.AddSingleton<ModelLoader>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelLoader>());
        return services;
    }

    /// <summary>Answers <c>/sdapi/*</c> with FastAPI's 404 until the routes exist, and holds model calls until loaded.</summary>
    public static WebApplication UseModelLoading(this WebApplication app)
    {
        var loader = app.Services.GetRequiredService<ModelLoader>();
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(SdApi))
            {
                if (!loader.RoutesReady)
                {
                    await Results.Json(new { detail = "Not Found" }, statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
                    return;
                }

                if (NeedTheModel.Contains(context.Request.Path.Value ?? ""))
                {
                    await loader.Loaded.WaitAsync(context.RequestAborted);
                }
            }

            await next(context);
        });
        app.MapPost("/sdapi/v1/reload-checkpoint", () => Results.Json(new { }));
        return app;
    }
}
