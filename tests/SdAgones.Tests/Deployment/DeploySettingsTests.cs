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
    [InlineData("filestore.ip", null, "deploy/settings.json:30: filestore.ip is missing; add it with an IPv4 address, e.g. 10.0.0.2")]
    [InlineData("filestore.ip", "10.0.0", "deploy/settings.json:32: filestore.ip = \"10.0.0\" is not allowed; use an IPv4 address, e.g. 10.0.0.2")]
    [InlineData("memorystore.address", "10.0.0.3", "deploy/settings.json:38: memorystore.address = \"10.0.0.3\" is not allowed; use host:port, e.g. 10.0.0.3:6379")]
    [InlineData("iap.audience", "<IAP_AUDIENCE>", "deploy/settings.json:27: iap.audience = \"<IAP_AUDIENCE>\" is not allowed; use /projects/PROJECT_NUMBER/global/backendServices/SERVICE_ID (digits), e.g. /projects/123456789012/global/backendServices/1234567890123456789")]
    [InlineData("gateway.replicas", 1, "deploy/settings.json:55: gateway.replicas = 1 is not allowed; use a whole number from 2 to 20, e.g. 2")]
    [InlineData("fleet.maxReplicas", 0, "deploy/settings.json:52: fleet.maxReplicas = 0 is not allowed; use a whole number from 1 to 1000, e.g. 6")]
    [InlineData("idle.timeout", "15m", "deploy/settings.json:59: idle.timeout = \"15m\" is not allowed; use a positive duration hh:mm:ss, e.g. 00:15:00")]
    [InlineData("usage.dailyQuota", "2h", "deploy/settings.json:62: usage.dailyQuota = \"2h\" is not allowed; use \"\" for no limit, or a positive duration hh:mm:ss (days as d.hh:mm:ss), e.g. 02:00:00")]
    [InlineData("usage.fairShare", "yes", "deploy/settings.json:64: usage.fairShare = \"yes\" is not allowed; use true (the next runtime goes to who used least GPU time lately, docs/fair-share.md) or false (first come, first served)")]
    [InlineData("filestore.ipp", "10.0.0.2", "deploy/settings.json:35: filestore.ipp is not a known setting; did you mean filestore.ip?")]
    public void A_bad_setting_is_one_line_naming_its_line_key_value_what_is_allowed_and_an_example(string key, object? value, string expected)
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

        var json = settings.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var error = Assert.Throws<SettingsException>(() => DeploySettings.Parse(json, "deploy/settings.json"));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Autoscaling_is_Buffer_or_Forecast_and_anything_else_is_named_with_what_is_allowed()
    {
        var settings = JsonNode.Parse(File.ReadAllText(DeploymentFiles.SettingsPath))!.AsObject();
        settings["autoscaling"] = "Buffer";
        Assert.Equal(FleetAutoscaling.Buffer, DeploySettings.Parse(settings.ToJsonString(), "deploy/settings.json").Autoscaling); // control

        settings["autoscaling"] = "Predictive";
        var json = settings.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        var error = Assert.Throws<SettingsException>(() => DeploySettings.Parse(json, "deploy/settings.json"));
        Assert.Equal("deploy/settings.json:66: autoscaling = \"Predictive\" is not allowed; use Buffer (a fixed Ready buffer: fleet.bufferSize, or each profile's buffer) "
            + "or Forecast (the cruiser's webhook warms runtimes before people arrive, docs/forecast.md), e.g. Forecast", error.Message);
    }

    [Fact]
    public void Several_bad_settings_are_one_line_each()
    {
        var settings = JsonNode.Parse(File.ReadAllText(DeploymentFiles.SettingsPath))!.AsObject();
        settings["project"]!["region"] = "Europe";
        settings["fleet"]!["bufferSize"] = "two";
        var json = settings.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

        var error = Assert.Throws<SettingsException>(() => DeploySettings.Parse(json, "deploy/settings.json"));

        Assert.Equal(
            [
                "deploy/settings.json:4: project.region = \"Europe\" is not allowed; use a GCP region, e.g. us-central1",
                "deploy/settings.json:50: fleet.bufferSize = \"two\" is not allowed; use a whole number from 1 to 1000, e.g. 1",
            ],
            error.Message.Split(Environment.NewLine));
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
    public void A_quota_in_the_settings_reaches_gateway_and_cruiser_in_production_and_an_empty_one_reaches_neither()
    {
        var node = JsonNode.Parse(File.ReadAllText(DeploymentFiles.SettingsPath))!.AsObject();
        node["usage"]!["dailyQuota"] = "02:00:00";
        node["usage"]!["fairShare"] = true;
        var settings = DeploySettings.Parse(node.ToJsonString(), "deploy/settings.json");

        var arguments = ManifestGenerator.AppHostArguments(settings);
        Assert.Contains("--Platform:DailyQuota=02:00:00", arguments);
        Assert.Contains("--Platform:FairShare=true", arguments);
        Assert.DoesNotContain(arguments, a => a.StartsWith("--Platform:WeeklyQuota", StringComparison.Ordinal));

        // The app model published with those arguments carries them; the base gives both services the quota.
        var manifest = JsonNode.Parse(File.ReadAllText(DeploymentFiles.AspireManifestPath))!;
        foreach (var service in new[] { "gateway", "cruiser" })
        {
            manifest["resources"]![service]!["env"]!["Usage__DailyQuota"] = "02:00:00";
            manifest["resources"]![service]!["env"]!["Usage__FairShare"] = "true";
        }

        var files = ManifestGenerator.Generate(AspireManifest.Parse(manifest.ToJsonString()), settings).Files;
        foreach (var service in new[] { "gateway", "cruiser" })
        {
            var env = files[$"base/{service}/kustomization.yaml"];
            Assert.Contains("- Usage__DailyQuota=02:00:00", env, StringComparison.Ordinal);
            Assert.Contains("- Usage__FairShare=true", env, StringComparison.Ordinal);
            Assert.DoesNotContain("Usage__WeeklyQuota", env, StringComparison.Ordinal);
        }

        // A manifest published with another value, or before the quota existed, is refused rather than deployed without it.
        var other = JsonNode.Parse(File.ReadAllText(DeploymentFiles.AspireManifestPath))!;
        var error = Assert.Throws<AspireManifestException>(() => ManifestGenerator.Generate(AspireManifest.Parse(other.ToJsonString()), settings));
        Assert.Contains("Usage__FairShare=false, but deploy/settings.json 'usage.fairShare' says true", error.Message, StringComparison.Ordinal);
        foreach (var service in new[] { "gateway", "cruiser" })
        {
            other["resources"]![service]!["env"]!["Usage__FairShare"] = "true";
        }

        error = Assert.Throws<AspireManifestException>(() => ManifestGenerator.Generate(AspireManifest.Parse(other.ToJsonString()), settings));
        Assert.Contains("no Usage__DailyQuota, but deploy/settings.json 'usage.dailyQuota' says 02:00:00", error.Message, StringComparison.Ordinal);
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
