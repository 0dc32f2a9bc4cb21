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

    /// <summary>
    /// The path as Gradio's server sees it: taken from the request target as sent, decoded once (<c>%2F</c> included),
    /// with no dot segments removed (uvicorn and Starlette do not remove them either).
    /// </summary>
    private static string RequestedPath(HttpContext context)
    {
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        var at = raw?.IndexOf(Prefix, StringComparison.Ordinal) ?? -1;
        if (raw is null || at < 0)
        {
            return context.Request.Path.Value![Prefix.Length..];
        }

        var target = raw[(at + Prefix.Length)..];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return Uri.UnescapeDataString(query < 0 ? target : target[..query]);
    }

    private static bool IsFileRequest(HttpContext context) =>
        (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        && context.Request.Path.Value?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    private static async Task ServeAsync(HttpContext context)
    {
        var requested = RequestedPath(context);
        var (verdict, fullPath) = requested.Length == 0
            ? (FileVerdict.NotAllowed, null)
            : context.RequestServices.GetRequiredService<ServableFiles>().Resolve(requested);
        if (verdict == FileVerdict.NotAllowed || fullPath is null)
        {
            var (status, error, detail) = verdict == FileVerdict.NotFound
                ? (StatusCodes.Status404NotFound, "NotFound", $"File not found: {requested}.")
                : (StatusCodes.Status403Forbidden, "Forbidden", $"File not allowed: {requested}.");
            await Results.Json(new ApiError(error, detail), WebUiJson.Options, statusCode: status).ExecuteAsync(context);
            return;
        }

        var contentType = ContentTypes.TryGetContentType(fullPath, out var known) ? known : "application/octet-stream";
        await TypedResults.PhysicalFile(fullPath, contentType, enableRangeProcessing: true).ExecuteAsync(context);
    }
}
