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

    /// <summary>
    /// Folder under which default output folders and uploads live (A1111's <c>--data-dir</c>, which wins when given in
    /// <see cref="CommandLineArgs"/>); relative paths are read from here.
    /// </summary>
    public string DataRoot { get; set; } = Path.Combine(Directory.GetCurrentDirectory(), "webui-data");

    /// <summary>A1111's command-line flags (its <c>COMMANDLINE_ARGS</c>); see <see cref="Settings.LaunchFlags"/> for those honoured.</summary>
    public string CommandLineArgs { get; set; } = "--api";

    /// <summary>The slug of the profile this runtime belongs to (LocalAgones passes its Fleet's); empty when run alone.</summary>
    public string Profile { get; set; } = "";

    /// <summary>The GKE accelerator the profile asks for (e.g. <c>nvidia-l4</c>); empty when run alone.</summary>
    public string GpuType { get; set; } = "";

    /// <summary>GPUs of the runtime; 0 when run alone (no GPU).</summary>
    public int GpuCount { get; set; }

    /// <summary>Memory of one GPU in GiB, reported as <c>cuda.system.total</c> on <c>/sdapi/v1/memory</c>; 0 = no GPU (CUDA unavailable).</summary>
    public int GpuMemoryGiB { get; set; }
}

/// <summary>Rejects settings that cannot work, naming the configuration key, so a bad start-up fails loudly.</summary>
internal sealed class StandInOptionsValidator : IValidateOptions<StandInOptions>
{
    private const string StepDelayKey = $"{StandInOptions.Section}:{nameof(StandInOptions.StepDelay)}";
    private const string DataRootKey = $"{StandInOptions.Section}:{nameof(StandInOptions.DataRoot)}";
    private const string GpuCountKey = $"{StandInOptions.Section}:{nameof(StandInOptions.GpuCount)}";
    private const string GpuMemoryKey = $"{StandInOptions.Section}:{nameof(StandInOptions.GpuMemoryGiB)}";

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

        if (options.GpuCount is < 0 or > 16)
        {
            failures.Add(SettingProblem.Line(GpuCountKey, options.GpuCount.ToString(System.Globalization.CultureInfo.InvariantCulture), "is not allowed; use 0 (no GPU) to 16"));
        }

        if (options.GpuMemoryGiB is < 0 or > 1024)
        {
            failures.Add(SettingProblem.Line(GpuMemoryKey, options.GpuMemoryGiB.ToString(System.Globalization.CultureInfo.InvariantCulture), "is not allowed; use 0 (no GPU) to 1024 (GiB per GPU)"));
        }

        if (!Settings.LaunchFlags.TryRead(options.CommandLineArgs, out _, out var flagProblem))
        {
            failures.Add(flagProblem);
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
        // Read from configuration, not IOptions: routes depend on the flags, and a bad value must fail at start-up
        // (ValidateOnStart names the key), not while the app is being built.
        builder.Services.AddSingleton(services =>
            Settings.LaunchFlags.TryRead(CommandLineArgs(services.GetRequiredService<IConfiguration>()), out var flags, out _)
                ? flags
                : new Settings.LaunchFlags(false, false, Settings.LaunchFlags.DefaultPort, false, false, null, null, []));

        // Without --urls, listen where the flags say: --listen binds every interface, as A1111's does; --port picks the port.
        if (builder.Configuration["urls"] is null
            && Settings.LaunchFlags.TryRead(CommandLineArgs(builder.Configuration), out var launch, out _))
        {
            builder.WebHost.UseUrls($"http://{(launch.Listen ? "0.0.0.0" : "127.0.0.1")}:{launch.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        return builder;
    }

    private static string CommandLineArgs(IConfiguration configuration) =>
        configuration[Settings.LaunchFlags.Key] ?? new StandInOptions().CommandLineArgs;
}
