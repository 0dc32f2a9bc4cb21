using Microsoft.Extensions.Options;

namespace SdAgones.WebUI;

/// <summary>
/// Process settings of the stand-in (configuration section <c>WebUI</c>, from the command line or
/// environment), so the process that starts it can make generations slow or fast and pick the data folder.
/// </summary>
public sealed class StandInOptions
{
    /// <summary>The configuration section these settings are read from.</summary>
    public const string Section = "WebUI";

    /// <summary>The longest step delay accepted; 150 steps of it still finish within hours, not days.</summary>
    public static readonly TimeSpan MaxStepDelay = TimeSpan.FromMinutes(1);

    /// <summary>Time one sampling step takes; a generation lasts steps × this.</summary>
    public TimeSpan StepDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Folder under which default output folders and uploads live; relative paths are read from here.</summary>
    public string DataRoot { get; set; } = Path.Combine(Directory.GetCurrentDirectory(), "webui-data");
}

/// <summary>Rejects settings that cannot work, naming the configuration key, so a bad start-up fails loudly.</summary>
internal sealed class StandInOptionsValidator : IValidateOptions<StandInOptions>
{
    private const string StepDelayKey = $"{StandInOptions.Section}:{nameof(StandInOptions.StepDelay)}";
    private const string DataRootKey = $"{StandInOptions.Section}:{nameof(StandInOptions.DataRoot)}";

    public ValidateOptionsResult Validate(string? name, StandInOptions options)
    {
        var failures = new List<string>();
        if (options.StepDelay < TimeSpan.Zero || options.StepDelay > StandInOptions.MaxStepDelay)
        {
            failures.Add(SettingProblem.Line(StepDelayKey, $"{options.StepDelay:c}", $"is not allowed; use 00:00:00 to {StandInOptions.MaxStepDelay:c}, e.g. 00:00:00.050"));
        }

        if (string.IsNullOrWhiteSpace(options.DataRoot))
        {
            failures.Add(SettingProblem.Line(DataRootKey, options.DataRoot, "is empty; it must name a folder, e.g. /tmp/webui-data"));
        }
        else if (options.DataRoot.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add(SettingProblem.Line(DataRootKey, options.DataRoot, "is not a usable path: it contains a character paths cannot hold"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

internal static class StandInOptionsRegistration
{
    public static WebApplicationBuilder AddStandInOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<StandInOptions>, StandInOptionsValidator>();
        builder.Services.AddOptions<StandInOptions>()
            .BindConfiguration(StandInOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}
