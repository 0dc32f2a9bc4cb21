using System.Text.RegularExpressions;
using SdAgones.Manifests.Settings;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// One place for versions: every image the manifests run and every version the deploy installs comes from
/// deploy/settings.json, so a release is changed in one file and nothing floats.
/// </summary>
public sealed partial class PinnedVersionsTests
{
    [Fact]
    public void Every_image_in_the_manifests_comes_from_the_settings()
    {
        var settings = DeploymentFiles.Settings();
        var allowed = new HashSet<string>(StringComparer.Ordinal)
        {
            settings.Images.Reference("sdagones-gateway"),
            settings.Images.Reference("sdagones-cruiser"),
            settings.Images.Reference("sdagones-agent"),
            settings.Images.Reference("sd-webui"),
            settings.Images.Collector,
        };

        var seen = new List<string>();
        var problems = new List<string>();
        foreach (var file in DeploymentFiles.YamlFiles())
        {
            foreach (Match match in ImageLine().Matches(DeploymentFiles.ReadManifest(file)))
            {
                var image = match.Groups[1].Value.Trim('"');
                seen.Add(image);
                if (!allowed.Contains(image))
                {
                    problems.Add($"{file}: image {image} is not one of the images deploy/settings.json names");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(allowed.Order(StringComparer.Ordinal), seen.Distinct().Order(StringComparer.Ordinal)); // and each is used
    }

    [Fact]
    public void The_deploy_script_takes_every_version_from_the_settings()
    {
        var script = File.ReadAllText(Path.Combine(DeploymentFiles.Root, "deploy", "gke.sh"));
        Assert.Contains("--version \"$AGONES_VERSION\"", script, StringComparison.Ordinal);
        Assert.Contains("--cluster-version \"$GKE_VERSION\"", script, StringComparison.Ordinal);
        Assert.Contains("gpu-driver-version=$GPU_DRIVER", script, StringComparison.Ordinal);
        Assert.Contains("AGONES_VERSION=\"$(setting .agones.chartVersion)\"", script, StringComparison.Ordinal);
        Assert.Contains("GKE_VERSION=\"$(setting .cluster.version)\"", script, StringComparison.Ordinal);

        var literal = LiteralVersion().Matches(script).Select(m => m.Value).ToList();
        Assert.True(literal.Count == 0, "deploy/gke.sh has versions of its own: " + string.Join(", ", literal));
    }

    [Fact]
    public void A_cluster_version_the_agones_release_does_not_support_is_refused_naming_both()
    {
        var json = File.ReadAllText(DeploymentFiles.SettingsPath).Replace("\"version\": \"1.35\"", "\"version\": \"1.37\"", StringComparison.Ordinal);
        Assert.Contains("\"version\": \"1.37\"", json, StringComparison.Ordinal);
        var error = Assert.Throws<SettingsException>(() => DeploySettings.Parse(json, "deploy/settings.json"));
        Assert.Contains("deploy/settings.json:13: cluster.version = \"1.37\" is Kubernetes 1.37, which Agones 1.60.0 does not support (it supports Kubernetes 1.34, 1.35, 1.36)", error.Message, StringComparison.Ordinal);

        // Positive control: the committed pairing is accepted.
        var settings = DeploymentFiles.Settings();
        Assert.Contains(settings.Cluster.Version, settings.Agones.KubernetesVersions);
    }

    [GeneratedRegex(@"(?m)^\s*-?\s*image:\s*(\S+)\s*$")]
    private static partial Regex ImageLine();

    // A version literal on a command line: --version 1.2.3, --cluster-version 1.35, :1.2.3 image tags.
    [GeneratedRegex(@"(--(cluster-)?version[ =]+[0-9]+\.[0-9]+|:[0-9]+\.[0-9]+\.[0-9]+\b)")]
    private static partial Regex LiteralVersion();
}
