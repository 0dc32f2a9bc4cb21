using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SdAgones.Runtimes.Sessions;

/// <summary>When a runtime counts as idle (section <c>Idle</c>); the seed's <c>TIME_INTERVAL</c> (seconds) is honoured.</summary>
public sealed class IdleOptions : IValidatableObject
{
    public const string Section = "Idle";

    /// <summary>No traffic and no generation for this long gives the runtime back.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the cruiser looks for idle sessions.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Each gateway instance records a person's activity at most this often.</summary>
    public TimeSpan TouchInterval { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Timeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"Idle:Timeout must be positive, got {Timeout}.", [nameof(Timeout)]);
        }

        if (CheckInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult($"Idle:CheckInterval must be positive, got {CheckInterval}.", [nameof(CheckInterval)]);
        }

        if (TouchInterval < TimeSpan.Zero || TouchInterval >= Timeout)
        {
            yield return new ValidationResult($"Idle:TouchInterval must be between 0 and Idle:Timeout, got {TouchInterval}.", [nameof(TouchInterval)]);
        }
    }

    /// <summary>The seed's idle timeout in seconds; wins over <c>Idle:Timeout</c> when set.</summary>
    public const string SeedKey = SettingKeys.IdleTimeoutSeedAlias;

    private static int? SeedSeconds(IConfiguration configuration) =>
        int.TryParse(configuration[SeedKey], NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : null;

    public static IServiceCollection AddIdleOptions(IServiceCollection services)
    {
        services.AddOptions<IdleOptions>()
            .BindConfiguration(Section)
            .Configure<IConfiguration>((options, configuration) =>
            {
                if (SeedSeconds(configuration) is { } seconds)
                {
                    options.Timeout = TimeSpan.FromSeconds(seconds);
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<IdleOptions>, SeedAliasCheck>();
        return services;
    }

    /// <summary>A <c>TIME_INTERVAL</c> that is not a positive whole number of seconds stops start-up naming it and its value.</summary>
    private sealed class SeedAliasCheck(IConfiguration configuration) : IValidateOptions<IdleOptions>
    {
        public ValidateOptionsResult Validate(string? name, IdleOptions options) =>
            configuration[SeedKey] is { Length: > 0 } raw && SeedSeconds(configuration) is null
                ? ValidateOptionsResult.Fail($"{SeedKey} = \"{raw}\" is not allowed; use a positive whole number of seconds, e.g. 900")
                : ValidateOptionsResult.Success;
    }
}
