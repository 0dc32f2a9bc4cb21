using System.Text.Json.Nodes;
using SdAgones.Manifests;
using SdAgones.Manifests.Aspire;
using SdAgones.Manifests.Settings;

namespace SdAgones.Tests.Deployment;

/// <summary>A settings mistake stops the generator with a message that names the key, before anything reaches a cluster.</summary>
public sealed class DeploySettingsTests
{
    [Fact]
    public void The_committed_settings_are_usable() =>
        Assert.Equal("my-project", DeploymentFiles.Settings().Project.Id);

    [Theory]
    [InlineData("filestore.ip", null, "'filestore.ip' is missing")]
    [InlineData("filestore.ip", "10.0.0", "'filestore.ip' must be an IPv4 address")]
    [InlineData("memorystore.address", "10.0.0.3", "'memorystore.address' must be host:port")]
    [InlineData("iap.audience", "<IAP_AUDIENCE>", "'iap.audience' must be /projects/")]
    [InlineData("gateway.replicas", 1, "'gateway.replicas' must be a whole number from 2")]
    [InlineData("fleet.maxReplicas", 0, "'fleet.maxReplicas'")]
    [InlineData("idle.timeout", "15m", "'idle.timeout' must be a positive duration")]
    [InlineData("filestore.ipp", "10.0.0.2", "'filestore.ipp' is not a known setting")]
    public void A_bad_setting_is_named_in_the_error(string key, object? value, string expected)
    {
        var settings = JsonNode.Parse(File.ReadAllText(DeploymentFiles.SettingsPath))!.AsObject();
        var parts = key.Split('.');
        var section = settings[parts[0]]!.AsObject();
        if (value is null)
        {
            section.Remove(parts[1]);
        }
        else
        {
            section[parts[1]] = value is int number ? JsonValue.Create(number) : JsonValue.Create((string)value);
        }

        var error = Assert.Throws<SettingsException>(() => DeploySettings.Parse(settings.ToJsonString(), "deploy/settings.json"));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("deploy/settings.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_aspire_manifest_that_disagrees_with_the_settings_is_refused()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(DeploymentFiles.AspireManifestPath))!;
        manifest["resources"]!["cruiser"]!["env"]!["Idle__Timeout"] = "00:05:00";

        var error = Assert.Throws<AspireManifestException>(
            () => ManifestGenerator.Generate(AspireManifest.Parse(manifest.ToJsonString()), DeploymentFiles.Settings()));
        Assert.Contains("idle.timeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parameter_the_settings_do_not_supply_is_named()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(DeploymentFiles.AspireManifestPath))!;
        manifest["resources"]!["gateway"]!["env"]!["ConnectionStrings__other"] = "{other.connectionString}";
        manifest["resources"]!["other"] = new JsonObject
        {
            ["type"] = "parameter.v0",
            ["connectionString"] = "{other.value}",
            ["value"] = "{other.inputs.value}",
        };

        var error = Assert.Throws<AspireManifestException>(
            () => ManifestGenerator.Generate(AspireManifest.Parse(manifest.ToJsonString()), DeploymentFiles.Settings()));
        Assert.Contains("'other'", error.Message, StringComparison.Ordinal);
    }
}
