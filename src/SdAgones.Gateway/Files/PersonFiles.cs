
namespace SdAgones.Gateway.Files;

/// <summary>One stored file of a person: its path below their outputs (or inputs), size and time.</summary>
internal sealed record StoredFile(string Path, long Bytes, DateTimeOffset Written);

/// <summary>
/// A person's own folder on the shared volume, <c>&lt;Storage:Root&gt;/users/&lt;label&gt;</c> (the agent moves their
/// outputs there; their uploads go to <c>inputs/</c>). Every path a request names is checked here: plain relative
/// segments only (no "..", no dot-files, no separators other than "/", no absolute paths), and no link anywhere on
/// the way — so a request can only ever reach a regular file inside this one person's folder.
/// </summary>
internal sealed class PersonFiles
{
    public const string Outputs = "outputs";
    public const string Inputs = "inputs";

    private readonly string root;

    public PersonFiles(string storageRoot, string user)
    {
        root = Path.Combine(Path.GetFullPath(storageRoot), "users", PersonLabel.For(user));
    }

    /// <summary>Every regular file below <paramref name="area"/> (outputs or inputs), newest first.</summary>
    public IReadOnlyList<StoredFile> List(string area)
    {
        var folder = Path.Combine(root, area);
        if (!Directory.Exists(folder) || HasLink(folder))
        {
            return [];
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden | FileAttributes.System,
            IgnoreInaccessible = true,
        };
        return
        [
            .. new DirectoryInfo(folder).EnumerateFiles("*", options)
                .Select(file => new StoredFile(Path.GetRelativePath(folder, file.FullName).Replace(Path.DirectorySeparatorChar, '/'), file.Length, file.LastWriteTimeUtc))
                .OrderByDescending(file => file.Written),
        ];
    }

    /// <summary>The full path of an existing regular file <paramref name="relative"/> below <paramref name="area"/>, or null.</summary>
    public string? Find(string area, string? relative)
    {
        if (Locate(area, relative) is not { } fullPath || !File.Exists(fullPath) || HasLink(fullPath))
        {
            return null;
        }

        return fullPath;
    }

    /// <summary>Deletes one output; false when there is no such file of this person.</summary>
    public bool Delete(string relative)
    {
        if (Find(Outputs, relative) is not { } fullPath)
        {
            return false;
        }

        File.Delete(fullPath);
        return true;
    }

    /// <summary>Streams an upload into <c>inputs/&lt;name&gt;</c>, whole or not at all.</summary>
    public async Task<string> SaveInputAsync(string name, Stream body, CancellationToken ct)
    {
        var folder = Path.Combine(root, Inputs);
        Directory.CreateDirectory(folder);
        if (HasLink(folder))
        {
            throw new UnauthorizedAccessException("The inputs folder is a link.");
        }

        var partial = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}.partial");
        try
        {
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true))
            {
                await body.CopyToAsync(file, 128 * 1024, ct);
            }

            var final = Path.Combine(folder, name);
            File.Move(partial, final, overwrite: true);
            return final;
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    /// <summary>The full path <paramref name="relative"/> names below <paramref name="area"/>, or null when it is not a plain relative path.</summary>
    private string? Locate(string area, string? relative)
    {
        if (string.IsNullOrEmpty(relative) || relative.Length > 1024)
        {
            return null;
        }

        var segments = relative.Split('/');
        if (segments.Any(segment => segment.Length == 0 || segment.StartsWith('.') || segment.Contains('\\')
                || segment.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || segment.Any(char.IsControl)))
        {
            return null;
        }

        var folder = Path.Combine(root, area);
        var fullPath = Path.GetFullPath(Path.Combine([folder, .. segments]));
        return fullPath.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? fullPath : null;
    }

    /// <summary>True when <paramref name="fullPath"/> or any folder between it and the person's folder is a link.</summary>
    private bool HasLink(string fullPath)
    {
        for (var current = fullPath; current.Length >= root.Length; current = Path.GetDirectoryName(current)!)
        {
            if (new FileInfo(current).LinkTarget is not null)
            {
                return true;
            }

            if (current.Length == root.Length)
            {
                break;
            }
        }

        return false;
    }
}
