using System.Globalization;

namespace SdAgones.Contracts.Profiles;

/// <summary>
/// The profiles on their way to the services, the list sibling of <see cref="PlatformSettingMap"/>:
/// <c>Platform:Profiles:N:*</c> in the AppHost (<c>profiles</c> in deploy/settings.json) become <c>Profiles:N:*</c>
/// (environment <c>Profiles__N__Slug</c>, …) of the gateway, the cruiser and, locally, LocalAgones. Every field of every
/// profile is written out, defaults resolved, so no service fills a gap from another profile or its own default.
/// </summary>
public static class ProfileSettings
{
    /// <summary>The AppHost's key of the list.</summary>
    public const string PlatformKey = PlatformSettingMap.Section + ":" + ProfileCatalog.Section;

    /// <summary>The key of the list in deploy/settings.json.</summary>
    public const string DeployKey = "profiles";

    /// <summary>The services given the profiles on a local run.</summary>
    public static readonly IReadOnlyList<string> Services = [ServiceNames.Gateway, ServiceNames.Cruiser, ServiceNames.LocalAgones];

    /// <summary>The services given the profiles in production (Agones, not LocalAgones, runs the Fleets there).</summary>
    public static IEnumerable<string> For(bool production) => production ? Services.Where(s => s != ServiceNames.LocalAgones) : Services;

    /// <summary>Each profile's fields as service settings (<c>Profiles:0:Slug</c> → <c>t4</c>), in order, nothing left out.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Settings(IReadOnlyList<RuntimeProfile> profiles)
    {
        for (var i = 0; i < profiles.Count; i++)
        {
            var p = profiles[i];
            string Key(string name) => string.Create(CultureInfo.InvariantCulture, $"{ProfileCatalog.Section}:{i}:{name}");
            yield return new(Key(nameof(p.Slug)), p.Slug);
            yield return new(Key(nameof(p.DisplayName)), string.IsNullOrEmpty(p.DisplayName) ? p.Slug : p.DisplayName);
            yield return new(Key(nameof(p.Description)), p.Description);
            yield return new(Key(nameof(p.GpuType)), p.GpuType);
            yield return new(Key(nameof(p.GpuCount)), PlatformSettingMap.Format(p.GpuCount));
            yield return new(Key(nameof(p.GpuMemoryGiB)), PlatformSettingMap.Format(p.EffectiveGpuMemoryGiB));
            yield return new(Key(nameof(p.MachineType)), p.MachineType);
            yield return new(Key(nameof(p.Spot)), p.Spot ? "true" : "false");
            yield return new(Key(nameof(p.Fleet)), p.FleetName);
            yield return new(Key(nameof(p.Buffer)), PlatformSettingMap.Format(p.Buffer));
            yield return new(Key(nameof(p.MinReplicas)), PlatformSettingMap.Format(p.MinReplicas));
            yield return new(Key(nameof(p.MaxReplicas)), PlatformSettingMap.Format(p.MaxReplicas));
            yield return new(Key(nameof(p.WebUIFlags)), p.WebUIFlags);
            if (p.IdleTimeout is { } idle)
            {
                yield return new(Key(nameof(p.IdleTimeout)), PlatformSettingMap.Format(idle));
            }

            for (var u = 0; u < p.AllowedUsers.Count; u++)
            {
                yield return new(Key($"{nameof(p.AllowedUsers)}:{u.ToString(CultureInfo.InvariantCulture)}"), p.AllowedUsers[u]);
            }

            for (var d = 0; d < p.AllowedDomains.Count; d++)
            {
                yield return new(Key($"{nameof(p.AllowedDomains)}:{d.ToString(CultureInfo.InvariantCulture)}"), p.AllowedDomains[d]);
            }

            yield return new(Key(nameof(p.Default)), p.Default ? "true" : "false");
        }
    }

    /// <summary>The same as environment variables of a service (<c>Profiles__0__Slug=t4</c>).</summary>
    public static IEnumerable<KeyValuePair<string, string>> Environment(IReadOnlyList<RuntimeProfile> profiles) =>
        Settings(profiles).Select(s => KeyValuePair.Create(SettingKeys.EnvironmentName(s.Key), s.Value));

    /// <summary>
    /// Each profile Fleet's sizes for the cruiser's forecast webhook (<c>Forecast:Fleets:&lt;fleet&gt;:Buffer</c>,
    /// <c>MinReplicas</c>, <c>MaxReplicas</c>): the numbers its Buffer policy would have, so a Webhook answer stays within
    /// that Fleet's own bounds (the Webhook policy itself has none). Empty when there are no profiles.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string>> ForecastEnvironment(IReadOnlyList<RuntimeProfile> profiles) =>
        profiles.SelectMany(p => new KeyValuePair<string, string>[]
        {
            new(SettingKeys.ForecastFleet(p.FleetName, nameof(p.Buffer)), PlatformSettingMap.Format(p.Buffer)),
            new(SettingKeys.ForecastFleet(p.FleetName, nameof(p.MinReplicas)), PlatformSettingMap.Format(p.MinReplicas)),
            new(SettingKeys.ForecastFleet(p.FleetName, nameof(p.MaxReplicas)), PlatformSettingMap.Format(p.MaxReplicas)),
        }).Select(s => KeyValuePair.Create(SettingKeys.EnvironmentName(s.Key), s.Value));

    /// <summary>The same as the AppHost's command-line switches (<c>--Platform:Profiles:0:Slug=t4</c>), as the manifests tool passes them.</summary>
    public static IEnumerable<string> Switches(IReadOnlyList<RuntimeProfile> profiles) =>
        Settings(profiles).Select(s => $"{SettingKeys.Switch(PlatformSettingMap.Section + ":" + s.Key)}={s.Value}");
}
