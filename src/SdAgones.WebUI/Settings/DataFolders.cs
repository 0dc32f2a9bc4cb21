using Microsoft.Extensions.Options;

namespace SdAgones.WebUI.Settings;

/// <summary>
/// The only places this WebUI has, as a runtime container has only its mounts: the data folder (the pod-local
/// workspace: outputs, inputs, uploads; <c>--data-dir</c> or <c>WebUI:DataRoot</c>) and the models folder
/// (<c>--models-dir</c>, read-only). Everything else on the machine — the people's folders on the shared volume
/// above all — is treated as absent, so no setting or request of the person can reach it.
/// </summary>
internal sealed class DataFolders(IOptions<StandInOptions> options, LaunchFlags flags)
{
    public string Root { get; } = Path.TrimEndingDirectorySeparator(Path.GetFullPath(flags.DataDir ?? options.Value.DataRoot));

    /// <summary>Where models are read from; <c>&lt;data&gt;/models</c> when <c>--models-dir</c> is not given, as in A1111.</summary>
    public string Models => flags.ModelsDir is { } models
        ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(models))
        : Path.Combine(Root, "models");

    public string Uploads => Path.Combine(Root, "uploads");

    /// <summary>Full path of <paramref name="path"/>; a relative path is taken from <see cref="Root"/>, as A1111 takes it from its own folder.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, Root);

    /// <summary>True when <paramref name="fullPath"/> exists for this runtime at all: in its data folder or its models.</summary>
    public bool IsMounted(string fullPath) => IsInsideOrEqual(fullPath, Root) || IsInsideOrEqual(fullPath, Models);

    /// <summary>True when this runtime may write at <paramref name="fullPath"/>: only in its data folder (models are read-only).</summary>
    public bool IsWritable(string fullPath) => IsInsideOrEqual(fullPath, Root);

    /// <summary>True when <paramref name="fullPath"/> lies strictly inside <paramref name="folder"/> (both already full paths).</summary>
    public static bool IsInside(string fullPath, string folder)
    {
        var prefix = Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar;
        return fullPath.Length > prefix.Length && fullPath.StartsWith(prefix, Comparison);
    }

    public static bool IsInsideOrEqual(string fullPath, string folder) =>
        string.Equals(Path.TrimEndingDirectorySeparator(fullPath), Path.TrimEndingDirectorySeparator(folder), Comparison) || IsInside(fullPath, folder);

    private static StringComparison Comparison => OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
}
