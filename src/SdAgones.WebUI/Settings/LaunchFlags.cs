using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace SdAgones.WebUI.Settings;

/// <summary>
/// The AUTOMATIC1111 command-line flags this stand-in honours (setting <c>WebUI:CommandLineArgs</c>, the same text
/// as A1111's <c>COMMANDLINE_ARGS</c>), so a local runtime runs with the flags the real image is started with
/// (<c>deploy/sd-webui/webui-flags.md</c>) and behaves as they make the real one behave. A flag the stand-in does not
/// reproduce is refused at start-up rather than silently ignored. The card flags a profile adds
/// (<see cref="CardFlags"/>: <c>--medvram</c>, <c>--lowvram</c>, <c>--xformers</c>, <c>--no-half-vae</c>,
/// <c>--opt-sdp-attention</c>) tune memory and attention on a real GPU; the stand-in has none, so it accepts and
/// reports them on <c>/sdapi/v1/cmd-flags</c> (which card flags a runtime was started with) but does not simulate them.
/// </summary>
internal sealed record LaunchFlags(
    bool Api,
    bool Listen,
    int Port,
    bool HideUiDirConfig,
    bool FreezeSettings,
    string? DataDir,
    string? ModelsDir,
    IReadOnlyList<string> GradioAllowedPaths)
{
    public const string Key = StandInOptions.Section + ":" + nameof(StandInOptions.CommandLineArgs);

    /// <summary>A1111's default port.</summary>
    public const int DefaultPort = 7860;

    /// <summary>The flags understood, each with whether it takes a value.</summary>
    public static readonly IReadOnlyDictionary<string, bool> Known = new Dictionary<string, bool>(StringComparer.Ordinal)
    {
        ["--api"] = false,
        ["--listen"] = false,
        ["--port"] = true,
        ["--hide-ui-dir-config"] = false,
        ["--freeze-settings"] = false,
        ["--data-dir"] = true,
        ["--models-dir"] = true,
        ["--gradio-allowed-path"] = true,
        ["--medvram"] = false,
        ["--lowvram"] = false,
        ["--xformers"] = false,
        ["--no-half-vae"] = false,
        ["--opt-sdp-attention"] = false,
    };

    /// <summary>The GPU flags accepted and reported, not simulated (the stand-in runs no model on a GPU).</summary>
    public static readonly IReadOnlyList<string> ReportedOnly = ["--medvram", "--lowvram", "--xformers", "--no-half-vae", "--opt-sdp-attention"];

    /// <summary>Which of <see cref="ReportedOnly"/> were given.</summary>
    public IReadOnlySet<string> CardFlags { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public static bool TryRead(string? text, [NotNullWhen(true)] out LaunchFlags? flags, [NotNullWhen(false)] out string? problem)
    {
        flags = null;
        var tokens = Tokenize(text ?? "", out var tokenProblem);
        if (tokens is null)
        {
            problem = tokenProblem!;
            return false;
        }

        problem = null;

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var allowed = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var (name, inline) = token.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (token[..eq], token[(eq + 1)..]) : (token, null);
            if (!Known.TryGetValue(name, out var takesValue))
            {
                problem = $"{Key}: the stand-in WebUI does not reproduce '{token}'; it honours {string.Join(", ", Known.Keys)}.";
                return false;
            }

            string? value = inline;
            if (takesValue && value is null)
            {
                if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    problem = $"{Key}: '{name}' needs a value.";
                    return false;
                }

                value = tokens[++i];
            }

            if (name == "--gradio-allowed-path")
            {
                allowed.Add(value!);
                continue;
            }

            seen.Add(name);
            if (value is not null)
            {
                values[name] = value;
            }
        }

        var port = DefaultPort;
        if (values.TryGetValue("--port", out var rawPort)
            && (!int.TryParse(rawPort, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            problem = $"{Key}: '--port' must be a port number (1-65535); got '{rawPort}'.";
            return false;
        }

        flags = new LaunchFlags(
            seen.Contains("--api"),
            seen.Contains("--listen"),
            port,
            seen.Contains("--hide-ui-dir-config"),
            seen.Contains("--freeze-settings"),
            values.GetValueOrDefault("--data-dir"),
            values.GetValueOrDefault("--models-dir"),
            allowed)
        {
            CardFlags = ReportedOnly.Where(seen.Contains).ToHashSet(StringComparer.Ordinal),
        };
        return true;
    }

    /// <summary>Splits like a shell without expansion: blanks separate, double quotes group.</summary>
    private static List<string>? Tokenize(string text, out string? problem)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        var any = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !inQuotes)
            {
                if (any)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (inQuotes)
        {
            problem = $"{Key}: a double quote is not closed.";
            return null;
        }

        if (any)
        {
            tokens.Add(current.ToString());
        }

        problem = null;
        return tokens;
    }
}
