using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// One plain line about one bad setting, in one shape for every service:
/// <c>Platform:IdleTimeout = "banana" is not a time span; use hh:mm:ss, e.g. 00:15:00</c>.
/// </summary>
public static class SettingProblem
{
    /// <summary>The line for <paramref name="key"/> holding <paramref name="value"/>, with what is wrong and what would do.</summary>
    public static string Line(string key, string? value, string problem) =>
        $"{key} = \"{value}\" {problem}";

    /// <summary>The line for a value that cannot be read as <paramref name="type"/> at all (a binding failure).</summary>
    public static string NotConvertible(string key, string? value, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var problem = type switch
        {
            _ when type == typeof(TimeSpan) => "is not a time span; use hh:mm:ss, e.g. 00:15:00",
            _ when type.IsEnum => $"is not allowed; use one of {string.Join(", ", Enum.GetNames(type))}",
            _ when type == typeof(bool) => "is not allowed; use true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "is not a whole number; e.g. 8080",
            _ when type == typeof(double) || type == typeof(decimal) || type == typeof(float) => "is not a number; e.g. 0.5",
            _ when type == typeof(Uri) => "is not a URL; e.g. http://127.0.0.1:8080/",
            _ => $"cannot be read as {type.Name}",
        };
        return Line(key, value, problem);
    }

    /// <summary>
    /// The line for a value that breaks a validation attribute on <paramref name="property"/>; the property's default
    /// on a fresh <paramref name="optionsType"/> is the example.
    /// </summary>
    public static string Broken(string key, string? value, Type optionsType, PropertyInfo? property, string error)
    {
        var example = property is null ? null : Default(optionsType, property);
        var eg = example is null ? "" : $", e.g. {example}";
        var attributes = property?.GetCustomAttributes<ValidationAttribute>().ToList() ?? [];
        string problem;
        if (attributes.OfType<RequiredAttribute>().Any() && string.IsNullOrWhiteSpace(value))
        {
            problem = $"is empty; it must be set{eg}";
        }
        else if (attributes.OfType<RangeAttribute>().FirstOrDefault() is { } range)
        {
            problem = $"is out of range; use {SettingRules.Invariant(range.Minimum)} to {SettingRules.Invariant(range.Maximum)}{eg}";
        }
        else if (attributes.OfType<RegularExpressionAttribute>().FirstOrDefault() is { } pattern)
        {
            problem = $"is not allowed; use lowercase letters, digits and '-' (pattern {pattern.Pattern}){eg}";
        }
        else
        {
            problem = $"is not allowed: {error}";
        }

        return Line(key, value, problem);
    }

    private static object? Instance(Type type)
    {
        try
        {
            return Activator.CreateInstance(type);
        }
        catch (MissingMethodException)
        {
            return null;
        }
    }

    private static string? Default(Type optionsType, PropertyInfo property) =>
        Instance(optionsType) is { } instance && property.GetValue(instance) is { } value
            ? SettingRules.Invariant(value)
            : null;
}
