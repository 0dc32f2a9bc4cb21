using SdAgones.WebUI.Settings;

namespace SdAgones.WebUI.Files;

/// <summary>What <c>/file=</c> answers for one requested path.</summary>
internal enum FileVerdict
{
    Serve,
    NotAllowed,
    NotFound,
}

/// <summary>
/// Decides what <c>/file=</c> may hand out, by Gradio 3.41's rules (gradio-app/gradio, tag v3.41.0,
/// gradio/routes.py, <c>file()</c>): a dotfile, a directory or a blocked path is 403; a missing file is 404; a file
/// is served only when it is under the app's working directory, was created by this process, is under a
/// <c>--gradio-allowed-path</c>, or was uploaded; anything else is 403. Before those rules comes the container's own:
/// a path outside this runtime's data and models folders does not exist for it (404), whatever the person asks.
/// </summary>
internal sealed class ServableFiles(DataFolders folders, LaunchFlags flags, CreatedFiles created, ILogger<ServableFiles> logger)
{
    private readonly string appDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory.GetCurrentDirectory()));

    /// <summary>The verdict for <paramref name="requested"/>, and the full path to serve when it is <see cref="FileVerdict.Serve"/>.</summary>
    public (FileVerdict Verdict, string? FullPath) Resolve(string requested)
    {
        string fullPath;
        try
        {
            fullPath = folders.Resolve(requested);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            logger.FileRefused(requested);
            return (FileVerdict.NotFound, null);
        }

        if (!folders.IsMounted(fullPath) && !DataFolders.IsInsideOrEqual(fullPath, appDirectory))
        {
            logger.FileRefused(requested);
            return (FileVerdict.NotFound, null);
        }

        var isDotfile = fullPath.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.'));
        if (isDotfile || Directory.Exists(fullPath))
        {
            return (FileVerdict.NotAllowed, null);
        }

        if (!File.Exists(fullPath))
        {
            return (FileVerdict.NotFound, null);
        }

        var allowed = DataFolders.IsInsideOrEqual(fullPath, appDirectory)
            || created.Contains(fullPath)
            || flags.GradioAllowedPaths.Any(path => DataFolders.IsInsideOrEqual(fullPath, folders.Resolve(path)))
            || DataFolders.IsInside(fullPath, folders.Uploads);
        if (!allowed)
        {
            logger.FileRefused(requested);
            return (FileVerdict.NotAllowed, null);
        }

        return (FileVerdict.Serve, fullPath);
    }
}
