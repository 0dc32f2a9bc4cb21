using SdAgones.WebUI.Settings;

namespace SdAgones.WebUI.Files;

/// <summary>
/// Decides what <c>/file=</c> may hand out: only files inside the current output folders or the upload folder,
/// after resolving <c>..</c> and relative paths, so a request cannot read the rest of the disk.
/// </summary>
internal sealed class ServableFiles(WebUiSettings settings, DataFolders folders, ILogger<ServableFiles> logger)
{
    /// <summary>The full path to serve, or null when <paramref name="requested"/> points outside every allowed folder.</summary>
    public string? Resolve(string requested)
    {
        string fullPath;
        try
        {
            fullPath = folders.Resolve(requested);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            logger.FileRefused(requested);
            return null;
        }

        if (settings.OutputFolders().Append(folders.Uploads).Any(folder => DataFolders.IsInside(fullPath, folder)))
        {
            return fullPath;
        }

        logger.FileRefused(requested);
        return null;
    }
}
