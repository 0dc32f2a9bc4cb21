using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Settings checks whose failure names the key, the value and what is allowed, so <see cref="SettingsCheck"/>
/// can print them as they are.
/// </summary>
public static class SettingRules
{
    /// <summary>
    /// Rejects the options when <paramref name="isValid"/> is false with
    /// <c>Key = "value" is not allowed; {allowed}</c>, e.g. <c>allowed: "use a positive time span, e.g. 00:00:30"</c>.
    /// </summary>
    public static OptionsBuilder<T> ValidateSetting<T>(
        this OptionsBuilder<T> builder, string key, Func<T, object?> value, Func<T, bool> isValid, string allowed)
        where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new SettingRule<T>(builder.Name, options =>
            isValid(options) ? null : SettingProblem.Line(key, Invariant(value(options)), $"is not allowed; {allowed}")));
        return builder;
    }

    /// <summary>
    /// Binds <paramref name="section"/> onto <paramref name="target"/> key by key and checks its validation attributes,
    /// returning one line per bad key (all of them, not only the first the binder meets).
    /// </summary>
    public static List<string> BindEachKey<T>(IConfigurationSection section, T target) where T : class
    {
        var problems = new List<string>();
        foreach (var property in typeof(T).GetProperties().Where(p => p.CanWrite))
        {
            var key = $"{section.Path}:{property.Name}";
            var raw = section[property.Name];
            if (raw is null)
            {
                continue;
            }

            try
            {
                property.SetValue(target, section.GetValue(property.PropertyType, property.Name));
            }
            catch (InvalidOperationException)
            {
                problems.Add(SettingProblem.NotConvertible(key, raw, property.PropertyType));
                continue;
            }

            var results = new List<ValidationResult>();
            if (!Validator.TryValidateProperty(property.GetValue(target), new ValidationContext(target) { MemberName = property.Name }, results))
            {
                problems.Add(SettingProblem.Broken(key, raw, typeof(T), property, results[0].ErrorMessage ?? ""));
            }
        }

        return problems;
    }

    internal static string? Invariant(object? value) => value switch
    {
        null => null,
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private sealed class SettingRule<T>(string? name, Func<T, string?> check) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? optionsName, T options) =>
            name is not null && name != optionsName ? ValidateOptionsResult.Skip
            : check(options) is { } failure ? ValidateOptionsResult.Fail(failure)
            : ValidateOptionsResult.Success;
    }
}
