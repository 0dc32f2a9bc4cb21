using Microsoft.AspNetCore.StaticFiles;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Pages;

namespace SdAgones.Gateway.Files;

/// <summary>
/// "My files" under <c>/_sd/files</c>: a person lists, previews, downloads and deletes their outputs and uploads
/// inputs, straight from their own folder on the shared volume — no GPU runtime needed, and nothing of anyone else's
/// reachable (<see cref="PersonFiles"/>). Actions that change something are POSTs from the page's own forms and are
/// refused when the browser says they come from another site.
/// </summary>
internal static class MyFilesEndpoints
{
    private const string Base = "/_sd/files";
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Maps the page and its actions; without <c>Storage:Root</c> they answer 503 with the reason.</summary>
    public static WebApplication MapMyFiles(this WebApplication app)
    {
        var storageRoot = app.Services.StorageRoot(); // checked at start-up (StorageOptions)

        var files = app.MapGroup(Base).RequireAuthorization();
        files.MapGet("", Handler(context => AsPersonAsync(context, storageRoot, ListPage)));
        files.MapGet("/outputs/{**path}", (HttpContext context, string path, bool? download) =>
            AsPersonAsync(context, storageRoot, (person, _) => Serve(person, PersonFiles.Outputs, path, download == true)));
        files.MapGet("/inputs/{**path}", (HttpContext context, string path) =>
            AsPersonAsync(context, storageRoot, (person, _) => Serve(person, PersonFiles.Inputs, path, download: true)));
        files.MapPost("/delete", Handler(context => AsPersonAsync(context, storageRoot, DeleteAsync)));
        files.MapPost("/upload", Handler(context => AsPersonAsync(context, storageRoot, UploadAsync))).DisableAntiforgery();
        return app;
    }

    /// <summary>A handler whose result is written to the response (a bare HttpContext lambda would be a RequestDelegate).</summary>
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    private static IResult ListPage(PersonFiles person, HttpContext context) =>
        PageLayout.Html(MyFilesPage.Render(person.List(PersonFiles.Outputs), person.List(PersonFiles.Inputs), context.Request.Query["done"]));

    private static IResult Serve(PersonFiles person, string area, string path, bool download)
    {
        if (person.Find(area, path) is not { } fullPath)
        {
            return NotYours(path);
        }

        var contentType = ContentTypes.TryGetContentType(fullPath, out var known) ? known : "application/octet-stream";
        var inline = !download && contentType.StartsWith("image/", StringComparison.Ordinal);
        return Results.File(fullPath, contentType, inline ? null : Path.GetFileName(fullPath), enableRangeProcessing: true);
    }

    private static async Task<IResult> DeleteAsync(PersonFiles person, HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string? path = form["path"];
        return person.Delete(path ?? "") ? Back(MyFilesPage.Deleted) : NotYours(path ?? "");
    }

    private static async Task<IResult> UploadAsync(PersonFiles person, HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return Problem(StatusCodes.Status400BadRequest, "Upload a file with the form on this page (multipart/form-data).");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (form.Files.GetFile("file") is not { } upload)
        {
            return Problem(StatusCodes.Status400BadRequest, "Choose a file to upload.");
        }

        var name = upload.FileName.Trim();
        if (name.Length is 0 or > 255 || name.StartsWith('.') || name.IndexOfAny(['/', '\\']) >= 0
            || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Any(char.IsControl))
        {
            return Problem(StatusCodes.Status400BadRequest, $"The file name '{name}' cannot be stored: use a plain name like photo.png (no folders, not starting with a dot).");
        }

        await using var body = upload.OpenReadStream();
        await person.SaveInputAsync(name, body, context.RequestAborted);
        return Back(MyFilesPage.Uploaded);
    }

    /// <summary>
    /// Runs the action on the signed-in person's own folder (the group requires authorization; the gateway's
    /// cross-site guard has already refused foreign state changes).
    /// </summary>
    private static async Task<IResult> AsPersonAsync(HttpContext context, string? storageRoot, Func<PersonFiles, HttpContext, Task<IResult>> action)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (storageRoot is null)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, $"My files is not available: this gateway has no {StorageOptions.RootKey} (the shared volume).");
        }

        return await action(new PersonFiles(storageRoot, context.User.Person()), context);
    }

    private static Task<IResult> AsPersonAsync(HttpContext context, string? storageRoot, Func<PersonFiles, HttpContext, IResult> action) =>
        AsPersonAsync(context, storageRoot, (person, ctx) => Task.FromResult(action(person, ctx)));

    private static IResult NotYours(string path) =>
        Problem(StatusCodes.Status404NotFound, $"You have no file '{path}'.");

    /// <summary>Back to the list after an action (303: the browser follows with a GET), with one of the page's own notices.</summary>
    private static IResult Back(string done) => new SeeOther($"{Base}?done={done}");

    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    private static IResult Problem(int status, string message) =>
        PageLayout.Html(MessagePage.Render(status switch { 404 => "No such file", 401 => "Not signed in", _ => "Not possible" }, message), status);
}
