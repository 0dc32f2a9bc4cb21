using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using SdAgones.WebUI.Api;

namespace SdAgones.WebUI.Files;

/// <summary><c>POST /upload?name=…</c>: the raw body becomes a file, with no size limit and no data-rate cut-off.</summary>
internal static class Uploads
{
    public static WebApplication MapUploads(this WebApplication app)
    {
        app.MapPost("/upload", UploadAsync);
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpContext context, UploadStore store)
    {
        if (!UploadName.TryValidate(context.Request.Query["name"], out var name, out var problem))
        {
            return ApiError.BadRequest("BadFileName", problem);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeLimit)
        {
            sizeLimit.MaxRequestBodySize = null;
        }

        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } minimumRate)
        {
            minimumRate.MinDataRate = null;
        }

        var stored = await store.SaveAsync(name, context.Request.Body, context.RequestAborted);
        return Results.Json(stored, WebUiJson.Options);
    }
}
