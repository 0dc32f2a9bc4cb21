using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SdAgones.Contracts.Profiles;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Runtimes.Profiles;

/// <summary>The configured profiles as bound from <c>Profiles:N:*</c> (see <see cref="RuntimeProfile"/>); empty = one default.</summary>
public sealed class ProfileOptions
{
    public List<RuntimeProfile> Profiles { get; set; } = [];
}

/// <summary>
/// Registers <see cref="ProfileCatalog"/> for a service: bound from <c>Profiles</c>, checked on start (a bad profile
/// stops the process with one line naming <c>Profiles:N:Key</c>), and with no profiles configured one default profile
/// whose Fleet is <c>Agones:Fleet</c>, so settings from before profiles keep working.
/// </summary>
public static class ProfileRegistration
{
    public static IServiceCollection AddProfiles(this IServiceCollection services)
    {
        services.AddOptions<ProfileOptions>()
            .Configure<IConfiguration>((options, configuration) =>
                options.Profiles = configuration.GetSection(ProfileCatalog.Section).Get<List<RuntimeProfile>>() ?? [])
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ProfileOptions>, ProfileCheck>();
        services.AddSingleton(sp => ProfileCatalog.Create(
            sp.GetRequiredService<IOptions<ProfileOptions>>().Value.Profiles,
            Single(sp.GetService<IOptions<AgonesOptions>>()?.Value.Fleet, sp.GetService<IConfiguration>())));
        return services;
    }

    /// <summary>
    /// The one profile of a platform with no profiles configured: today's Fleet, a T4, open to everyone, with the GPU
    /// count usage was told before profiles (<c>Usage:GpuCount</c>), so its accounting does not change.
    /// </summary>
    public static RuntimeProfile Single(string? fleet, IConfiguration? configuration = null) => new()
    {
        Slug = ProfileCatalog.DefaultSlug,
        DisplayName = "Standard GPU",
        Description = "The platform's runtime.",
        Fleet = fleet ?? "",
        GpuCount = int.TryParse(configuration?["Usage:GpuCount"], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var gpus) && gpus is >= 1 and <= 16 ? gpus : 1,
        Default = true,
    };

    private sealed class ProfileCheck(IOptions<AgonesOptions>? agones = null) : IValidateOptions<ProfileOptions>
    {
        public ValidateOptionsResult Validate(string? name, ProfileOptions options)
        {
            try
            {
                ProfileCatalog.Create(options.Profiles, Single(agones?.Value.Fleet));
                return ValidateOptionsResult.Success;
            }
            catch (ProfileSettingsException bad)
            {
                return ValidateOptionsResult.Fail(bad.Message);
            }
        }
    }
}
