using System.Text.Json;
using System.Text.Json.Nodes;

namespace SdAgones.WebUI.Settings;

/// <summary>
/// The WebUI's live settings (A1111's <c>opts</c>): what <c>/sdapi/v1/options</c> shows and changes, and so
/// where images are saved and which folders <c>/file=</c> may serve. Safe to read and change from any thread.
/// </summary>
internal sealed class WebUiSettings(DataFolders folders, ILogger<WebUiSettings> logger)
{
    private const string OutdirPrefix = "outdir_";
    private readonly Lock _gate = new();
    private readonly JsonObject _values = SettingDefaults.Create(folders.Root);

    public JsonObject Snapshot()
    {
        lock (_gate)
        {
            return (JsonObject)_values.DeepClone();
        }
    }

    /// <summary>Why <paramref name="changes"/> cannot be applied, or null when it can. Unknown keys are fine, as in A1111.</summary>
    public static string? FindProblem(JsonObject changes)
    {
        foreach (var (key, value) in changes)
        {
            if (key.StartsWith(OutdirPrefix, StringComparison.Ordinal) && value?.GetValueKind() != JsonValueKind.String)
            {
                return $"'{key}' must be a folder path given as text, for example \"outputs/txt2img-images\".";
            }
        }

        return null;
    }

    public void Merge(JsonObject changes)
    {
        lock (_gate)
        {
            foreach (var (key, value) in changes)
            {
                _values[key] = value?.DeepClone();
            }
        }

        logger.SettingsChanged(string.Join(", ", changes.Select(change => change.Key)));
    }

    /// <summary>Where txt2img saves: <c>outdir_samples</c> when set (it overrides every tab in A1111), else <c>outdir_txt2img_samples</c>.</summary>
    public string Txt2ImgSamplesFolder()
    {
        lock (_gate)
        {
            var folder = NonEmpty("outdir_samples") ?? NonEmpty("outdir_txt2img_samples") ?? Path.Combine("outputs", "txt2img-images");
            return folders.Resolve(folder);
        }
    }

    /// <summary>Every output folder currently set (the non-empty <c>outdir_*</c> values), as full paths.</summary>
    public IReadOnlyList<string> OutputFolders()
    {
        lock (_gate)
        {
            return
            [
                .. _values
                    .Where(pair => pair.Key.StartsWith(OutdirPrefix, StringComparison.Ordinal))
                    .Select(pair => NonEmpty(pair.Key))
                    .OfType<string>()
                    .Select(folders.Resolve),
            ];
        }
    }

    private string? NonEmpty(string key) =>
        _values[key] is JsonValue value && value.TryGetValue(out string? text) && !string.IsNullOrWhiteSpace(text) ? text : null;
}

internal static partial class SettingsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Settings changed: {Keys}")]
    public static partial void SettingsChanged(this ILogger logger, string keys);
}

internal static class SettingsRegistration
{
    public static IServiceCollection AddWebUiSettings(this IServiceCollection services) =>
        services.AddSingleton<DataFolders>().AddSingleton<WebUiSettings>();
}
