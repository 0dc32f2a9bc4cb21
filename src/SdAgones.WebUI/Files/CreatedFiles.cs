using System.Collections.Concurrent;

namespace SdAgones.WebUI.Files;

/// <summary>
/// Files this process wrote (Gradio's <c>temp_file_sets</c>: A1111 registers every image it saves), which
/// <c>/file=</c> serves wherever they are.
/// </summary>
internal sealed class CreatedFiles
{
    private readonly ConcurrentDictionary<string, byte> paths = new(StringComparer.Ordinal);

    public void Add(string fullPath) => paths.TryAdd(fullPath, 0);

    public bool Contains(string fullPath) => paths.ContainsKey(fullPath);
}
