using Microsoft.Extensions.Options;

namespace SdAgones.WebUI.Settings;

/// <summary>Where this WebUI keeps its files: all under <c>WebUI:DataRoot</c>, which also anchors relative paths.</summary>
internal sealed class DataFolders(IOptions<StandInOptions> options)
{
    public string Root { get; } = Path.GetFullPath(options.Value.DataRoot);

    public string Uploads => Path.Combine(Root, "uploads");

    /// <summary>Full path of <paramref name="path"/>; a relative path is taken from <see cref="Root"/>, as A1111 takes it from its own folder.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, Root);

    /// <summary>True when <paramref name="fullPath"/> lies strictly inside <paramref name="folder"/> (both already full paths).</summary>
    public static bool IsInside(string fullPath, string folder)
    {
        var prefix = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return fullPath.Length > prefix.Length && fullPath.StartsWith(prefix, comparison);
    }
}
