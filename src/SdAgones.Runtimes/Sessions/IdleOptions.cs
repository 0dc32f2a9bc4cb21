using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

    public static IServiceCollection AddIdleOptions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IdleOptions>()
            .Bind(configuration.GetSection(Section))
            .Configure(options =>
            {
                if (SeedSeconds(configuration) is { } seconds)
                {
                    options.Timeout = TimeSpan.FromSeconds(seconds);
                }
            })
            .Validate(_ => configuration[SeedKey] is not { Length: > 0 } || SeedSeconds(configuration) is not null,
                $"{SeedKey} = \"{configuration[SeedKey]}\" is not allowed; use a positive whole number of seconds, e.g. 900")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }
}
