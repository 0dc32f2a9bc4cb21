using SdAgones.Manifests.Aspire;
using SdAgones.Manifests.Kustomize;
using SdAgones.Manifests.Output;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests;

/// <summary>
/// From the app model and the deploy settings to the whole <c>manifests/</c> tree: the Aspirate-style base and the
/// GKE overlay. Pure: the same inputs give the same files, byte for byte.
/// </summary>
public static class ManifestGenerator
{
    /// <summary>The Aspire parameter that is the cache's connection string ("host:port", Memorystore).</summary>
    public const string CacheParameter = ServiceNames.Cache;

    /// <summary>
    /// The AppHost's own settings that production takes from deploy/settings.json; deploy/generate-manifests passes
    /// them to the publisher so the app model and the settings agree.
    /// </summary>
    public static IReadOnlyList<string> AppHostArguments(DeploySettings settings) =>
        [.. PlatformSettingMap.Deployed.Where(setting => settings.ValueOf(setting) is not null).Select(setting => setting.Switch(settings.ValueOf(setting)!))];

    public static GeneratedFiles Generate(AspireManifest manifest, DeploySettings settings)
    {
        var projects = manifest.Projects(new Dictionary<string, string> { [CacheParameter] = settings.Memorystore.Address });
        CheckAgreement(projects, settings);

        var files = new GeneratedFiles();
        AspirateBase.Add(files, projects, settings);
        GkeOverlay.Add(files, projects, settings);
        return files;
    }

    /// <summary>
    /// Settings that reach the services through the app model must be the ones in deploy/settings.json; a manifest
    /// published without <see cref="AppHostArguments"/> (or from a changed AppHost) is refused, not silently overridden.
    /// </summary>
    private static void CheckAgreement(IReadOnlyList<AspireProject> projects, DeploySettings settings)
    {
        var expected = PlatformSettingMap.Deployed.ToDictionary(
            setting => setting.EnvironmentName, setting => (Value: settings.ValueOf(setting) ?? "", Setting: setting.DeployKey!));
        expected[SettingKeys.EnvironmentName($"ConnectionStrings:{CacheParameter}")] = (settings.Memorystore.Address, "memorystore.address");

        foreach (var project in projects)
        {
            foreach (var (key, value) in project.AllEnvironment)
            {
                if (expected.TryGetValue(key, out var want) && value != want.Value)
                {
                    throw new AspireManifestException(
                        $"The Aspire manifest gives '{project.Name}' {key}={value}, but deploy/settings.json '{want.Setting}' says {want.Value}. "
                        + "Publish the manifest with deploy/generate-manifests, which passes the settings to the AppHost.");
                }
            }

            // A setting the file gives must also be there: a manifest published before it existed would drop it silently.
            foreach (var setting in PlatformSettingMap.For(project.Name, production: true).Where(s => s.DeployKey is not null && settings.ValueOf(s) is not null))
            {
                if (!project.AllEnvironment.Any(e => e.Key == setting.EnvironmentName))
                {
                    throw new AspireManifestException(
                        $"The Aspire manifest gives '{project.Name}' no {setting.EnvironmentName}, but deploy/settings.json '{setting.DeployKey}' says {settings.ValueOf(setting)}. "
                        + "Publish the manifest with deploy/generate-manifests, which passes the settings to the AppHost.");
                }
            }
        }
    }
}
