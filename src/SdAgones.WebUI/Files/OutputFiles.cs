using Microsoft.AspNetCore.StaticFiles;
using SdAgones.WebUI.Api;

namespace SdAgones.WebUI.Files;

/// <summary>
/// <c>GET /file=&lt;path&gt;</c>, the way Gradio serves generated images. The path follows "=" directly, which
/// a route template cannot express, so this is a branch of the pipeline rather than a routed endpoint.
/// </summary>
internal static class OutputFiles
{
    private const string Prefix = "/file=";
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static WebApplication MapOutputFiles(this WebApplication app)
    {
        app.MapWhen(IsFileRequest, branch => branch.Run(ServeAsync));
        return app;
    }

    private static bool IsFileRequest(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && context.Request.Path.Value?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    private static async Task ServeAsync(HttpContext context)
    {
        var requested = context.Request.Path.Value![Prefix.Length..];
        var fullPath = requested.Length == 0 ? null : context.RequestServices.GetRequiredService<ServableFiles>().Resolve(requested);
        if (fullPath is null)
        {
            await Results.Json(new ApiError("Forbidden", $"File not allowed: {requested}"), WebUiJson.Options, statusCode: StatusCodes.Status403Forbidden)
                .ExecuteAsync(context);
            return;
        }

        if (!File.Exists(fullPath))
        {
            await Results.Json(new ApiError("NotFound", $"No such file: {requested}"), WebUiJson.Options, statusCode: StatusCodes.Status404NotFound)
                .ExecuteAsync(context);
            return;
        }

        var contentType = ContentTypes.TryGetContentType(fullPath, out var known) ? known : "application/octet-stream";
        await TypedResults.PhysicalFile(fullPath, contentType, enableRangeProcessing: true).ExecuteAsync(context);
    }
}
