using System.Text.Json.Nodes;
using SdAgones.Manifests;
using SdAgones.Manifests.Aspire;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// manifests/ is generated and committed: what an operator applies must be exactly what the generator makes from the
/// committed inputs, and those inputs must be what the AppHost publishes today.
/// </summary>
public sealed class ManifestsAreCurrentTests
{
    [Fact]
    public void Regenerating_from_the_committed_inputs_gives_byte_identical_manifests()
    {
        var output = Directory.CreateTempSubdirectory("sdagones-manifests-").FullName;
        try
        {
            var files = ManifestGenerator.Generate(DeploymentFiles.CommittedAspireManifest(), DeploymentFiles.Settings());
            files.WriteTo(output);

            var generated = RelativeFiles(output);
            var committed = RelativeFiles(DeploymentFiles.ManifestsPath);
            var problems = new List<string>();
            problems.AddRange(generated.Except(committed).Select(f => $"{f}: generated but not committed"));
            problems.AddRange(committed.Except(generated).Select(f => $"{f}: committed but no longer generated"));
            foreach (var file in generated.Intersect(committed))
            {
                var want = File.ReadAllBytes(Path.Combine(output, file));
                var have = File.ReadAllBytes(Path.Combine(DeploymentFiles.ManifestsPath, file));
                if (!want.AsSpan().SequenceEqual(have))
                {
                    problems.Add($"{file}: differs from what the generator writes");
                }
            }

            Assert.True(problems.Count == 0,
                "manifests/ is out of date; run deploy/generate-manifests and commit the result:\n  " + string.Join("\n  ", problems));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task The_committed_aspire_manifest_is_what_the_AppHost_publishes()
    {
        var output = Directory.CreateTempSubdirectory("sdagones-aspire-").FullName;
        try
        {
            var published = Path.Combine(output, "aspire-manifest.json");
            string[] arguments =
            [
                "run", "--no-build", "-c", DeploymentFiles.BuildConfiguration, "--project", "src/SdAgones.AppHost", "--",
                "--publisher", "manifest", "--output-path", published,
                .. ManifestGenerator.AppHostArguments(DeploymentFiles.Settings()),
            ];
            var (exitCode, stdout, stderr) = await DeploymentFiles.RunAsync("dotnet", arguments, TimeSpan.FromMinutes(2));
            Assert.True(exitCode == 0, $"The AppHost publisher failed ({exitCode}):\n{stdout}\n{stderr}");

            var fresh = AspireManifest.Parse(await File.ReadAllTextAsync(published))
                .ToJson(output, Path.GetDirectoryName(DeploymentFiles.AspireManifestPath)!);
            var committed = await File.ReadAllTextAsync(DeploymentFiles.AspireManifestPath);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(fresh), JsonNode.Parse(committed)),
                "deploy/aspire-manifest.json no longer matches the AppHost's app model; run deploy/generate-manifests and commit the result.\n"
                + $"AppHost publishes:\n{fresh}");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static HashSet<string> RelativeFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);
}
