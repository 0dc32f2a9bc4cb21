using System.Text.Json;
using System.Text.Json.Nodes;

namespace SdAgones.WebUI.Settings;

/// <summary>
/// The WebUI's live settings (A1111's <c>opts</c>): what <c>/sdapi/v1/options</c> shows and changes, and so
/// where images are saved and which folders <c>/file=</c> may serve. Safe to read and change from any thread.
/// </summary>
internal sealed class WebUiSettings(DataFolders folders, LaunchFlags flags, ILogger<WebUiSettings> logger)
{
    private const string OutdirPrefix = "outdir_";

    /// <summary>
    /// The settings <c>--hide-ui-dir-config</c> makes read-only: A1111's <c>restricted_opts</c>
    /// (AUTOMATIC1111/stable-diffusion-webui, modules/shared_options.py; checked in modules/options.py <c>Options.set</c>,
    /// which returns False and leaves the value, so <c>POST /sdapi/v1/options</c> still answers 200).
    /// <c>outdir_img2img_grids</c> is not among them there either: the flag alone does not confine a person's outputs.
    /// </summary>
    public static readonly IReadOnlySet<string> RestrictedByHideUiDirConfig = new HashSet<string>(StringComparer.Ordinal)
    {
        "samples_filename_pattern", "directories_filename_pattern", "outdir_samples", "outdir_txt2img_samples",
        "outdir_img2img_samples", "outdir_extras_samples", "outdir_grids", "outdir_txt2img_grids", "outdir_save",
        "outdir_init_images", "temp_dir", "clean_temp_dir_at_start",
    };

    private readonly Lock _gate = new();
    private readonly JsonObject _values = SettingDefaults.Create(folders.Root);

    public JsonObject Snapshot()
    {
        lock (_gate)
        {
            return (JsonObject)_values.DeepClone();
        }
    }

    /// <summary>
    /// Why <paramref name="changes"/> cannot be applied, or null when it can. Unknown keys are fine, as in A1111.
    /// A folder outside this runtime's data folder is refused: the runtime's container has no such place to write to.
    /// Settings that <c>--hide-ui-dir-config</c> protects are not checked here; <see cref="Merge"/> ignores them.
    /// </summary>
    public string? FindProblem(JsonObject changes)
    {
        foreach (var (key, value) in changes)
        {
            if (!key.StartsWith(OutdirPrefix, StringComparison.Ordinal) || IsIgnored(key))
            {
                continue;
            }

            if (value?.GetValueKind() != JsonValueKind.String || value.GetValue<string>() is not { } folder)
            {
                return $"'{key}' must be a folder path given as text, for example \"outputs/txt2img-images\".";
            }

            if (folder.Length > 0 && !IsWritableFolder(folder))
            {
                return $"'{key}' must be a folder inside this runtime's data folder ({folders.Root}); '{folder}' is not in this runtime's filesystem.";
            }
        }

        return null;
    }

    /// <summary>Applies <paramref name="changes"/>, leaving the settings <c>--hide-ui-dir-config</c> protects as they were (as A1111 does).</summary>
    public void Merge(JsonObject changes)
    {
        var applied = new List<string>();
        lock (_gate)
        {
            foreach (var (key, value) in changes)
            {
                if (!IsIgnored(key))
                {
                    _values[key] = value?.DeepClone();
                    applied.Add(key);
                }
            }
        }

        logger.SettingsChanged(string.Join(", ", applied));
    }

    private bool IsIgnored(string key) => flags.HideUiDirConfig && RestrictedByHideUiDirConfig.Contains(key);

    private bool IsWritableFolder(string folder)
    {
        try
        {
            return folders.IsWritable(folders.Resolve(folder));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
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
