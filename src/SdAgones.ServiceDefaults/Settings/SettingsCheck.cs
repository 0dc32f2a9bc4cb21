using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Stops a service whose settings are bad with one plain line per bad key on stderr and exit code 1, instead of
/// the host's "Hosting failed to start" stack trace: the settings are checked before the host starts.
/// </summary>
public static partial class SettingsCheck
{
    /// <summary>
    /// Call right after <c>Build()</c>, before anything resolves services: checks every <c>ValidateOnStart</c> setting
    /// and, on a bad one, reports it and ends the process with exit code 1.
    /// </summary>
    public static THost ExitOnBadSettings<THost>(this THost host) where THost : IHost
    {
        var problems = host.SettingsProblems();
        if (problems.Count > 0)
        {
            Report(problems);
            host.Dispose();
            Environment.Exit(1);
        }

        return host;
    }

    /// <summary>The lines for every bad setting the host's start-up validation finds; empty when all are good.</summary>
    public static IReadOnlyList<string> SettingsProblems(this IHost host)
    {
        try
        {
            host.Services.GetService<IStartupValidator>()?.Validate();
            return [];
        }
        catch (Exception ex) when (Describe(ex, host.Services.GetService<IConfiguration>()) is { Count: > 0 } lines)
        {
            return [.. lines.Distinct(StringComparer.Ordinal)]; // a bad key that other settings' checks read fails there too
        }
    }

    /// <summary>Writes the lines to stderr and sets exit code 1, so a script or the orchestrator sees the failure.</summary>
    public static void Report(IEnumerable<string> problems)
    {
        foreach (var line in problems)
        {
            Console.Error.WriteLine(line);
        }

        Environment.ExitCode = 1;
    }

    /// <summary>
    /// One line per bad key for an options failure (validation or binding); empty for an exception that is not
    /// about settings, so it still surfaces with its stack trace.
    /// </summary>
    public static IReadOnlyList<string> Describe(Exception exception, IConfiguration? configuration) => exception switch
    {
        AggregateException many => [.. many.InnerExceptions.SelectMany(e => Describe(e, configuration))],
        TargetInvocationException { InnerException: { } inner } => Describe(inner, configuration),
        OptionsValidationException invalid => [.. invalid.Failures.Select(f => Failure(f, invalid.OptionsType, configuration))],
        InvalidOperationException notConvertible when BindingFailure().Match(notConvertible.Message) is { Success: true } match =>
            [SettingProblem.NotConvertible(match.Groups["key"].Value, configuration?[match.Groups["key"].Value], FindType(match.Groups["type"].Value))],
        _ => [],
    };

    private static string Failure(string failure, Type optionsType, IConfiguration? configuration)
    {
        if (DataAnnotationFailure().Match(failure) is not { Success: true } match)
        {
            return failure;
        }

        var error = match.Groups["error"].Value;
        var section = optionsType.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;
        var member = match.Groups["members"].Value.Split(',')[0].Trim();
        if (section is null || member.Length == 0 || error.StartsWith(section + ":", StringComparison.Ordinal))
        {
            return error; // the options type's own check already names the key
        }

        var key = $"{section}:{member}";
        var property = optionsType.GetProperty(member);
        return SettingProblem.Broken(key, configuration?[key], optionsType, property, error);
    }

    private static Type FindType(string name) =>
        Type.GetType(name)
        ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name)).FirstOrDefault(t => t is not null)
        ?? typeof(object);

    // ConfigurationBinder: "Failed to convert configuration value ['x' ]at 'Section:Key' to type 'System.TimeSpan'."
    [GeneratedRegex("at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex BindingFailure();

    // DataAnnotationValidateOptions: "DataAnnotation validation failed for 'T' members: 'A,B' with the error: '...'."
    [GeneratedRegex("^DataAnnotation validation failed for '[^']*' members: '(?<members>[^']*)' with the error: '(?<error>.*)'\\.$", RegexOptions.Singleline)]
    private static partial Regex DataAnnotationFailure();
}
