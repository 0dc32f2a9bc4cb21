namespace SdAgones.Agent.Users;

/// <summary>
/// Copies files between the workspace (which the person's WebUI can write, links included) and the person's folder
/// on the shared volume without ever following a link out of either: each file is opened first, and then the path
/// the kernel actually opened (<c>/proc/self/fd/N</c>) must lie inside the expected folder. Checking a path and then
/// opening it would leave a window in which the WebUI swaps a folder for a link to another person's files.
/// </summary>
internal static class ConfinedFiles
{
    /// <summary>The real path of a folder: every link along it resolved.</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            var info = new DirectoryInfo(next);
            current = info.Exists && info.LinkTarget is not null
                ? Path.TrimEndingDirectorySeparator(info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? next)
                : next;
        }

        return Path.TrimEndingDirectorySeparator(current);
    }

    /// <summary>Copies <paramref name="source"/> (inside <paramref name="sourceRoot"/>) to <paramref name="destination"/> (inside <paramref name="destinationRoot"/>), atomically under its final name.</summary>
    /// <returns>False when either file turned out to lie outside its folder; nothing is left behind then.</returns>
    public static async Task<bool> CopyAsync(string source, string sourceRoot, string destination, string destinationRoot, CancellationToken ct)
    {
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, useAsync: true);
        if (!IsInside(OpenedPath(input, source), sourceRoot))
        {
            return false;
        }

        var folder = Path.GetDirectoryName(destination)!;
        Directory.CreateDirectory(folder);
        var partial = Path.Combine(folder, $".{Path.GetFileName(destination)}.{Guid.NewGuid():N}.partial");
        try
        {
            // CreateNew never follows a link at the final name; the check below covers links in the folders above it.
            await using (var output = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true))
            {
                if (!IsInside(OpenedPath(output, partial), destinationRoot))
                {
                    return false;
                }

                await input.CopyToAsync(output, 128 * 1024, ct);
            }

            File.Move(partial, destination, overwrite: true);
            partial = null;
            return true;
        }
        finally
        {
            if (partial is not null)
            {
                File.Delete(partial);
            }
        }
    }

    private static string OpenedPath(FileStream stream, string asked)
    {
        if (Directory.Exists("/proc/self/fd"))
        {
            // An unreadable link yields "", which lies inside no folder.
            return new FileInfo($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}").LinkTarget ?? "";
        }

        // No /proc (not Linux): resolve the links along the path instead.
        return Path.Combine(RealPath(Path.GetDirectoryName(asked)!), Path.GetFileName(asked));
    }

    private static bool IsInside(string fullPath, string root)
    {
        var prefix = Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar;
        return fullPath.StartsWith(prefix, StringComparison.Ordinal) && fullPath.Length > prefix.Length;
    }
}
