using System.Text.Json.Nodes;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// The manifests tool run as a process, as deploy/generate-manifests and deploy/gke.sh run it: a mistake on its
/// command line or in the settings file is one line on stderr (what, the value, what is allowed, an example) and exit
/// code 1, never a stack trace; the same command with the right input succeeds.
/// </summary>
public sealed class ManifestsCommandLineTests : IDisposable
{
    private const string Example = "e.g. SdAgones.Manifests check --settings deploy/settings.json";
    private readonly string work = Directory.CreateTempSubdirectory("sdagones-manifests-cli-").FullName;

    public static TheoryData<string[], string> BadCommandLines => new()
    {
        { ["chek", "--settings", "deploy/settings.json"], $"unknown command 'chek'; use generate, apphost-args, check or node-pools, {Example}" },
        { ["check", "--setings", "deploy/settings.json"], $"unexpected argument '--setings' for 'check'; use --settings, {Example}" },
        { ["check", "--settings"], $"--settings needs a value; {Example}" },
        { ["check", "--settings", "deploy/nope.json"], "--settings = \"deploy/nope.json\" is not a file; use the path of your settings file, e.g. --settings deploy/settings.json" },
        { ["--settings", "deploy/settings.json", "--output", "manifests"], "--aspire-manifest is required for 'generate'; e.g. SdAgones.Manifests --aspire-manifest deploy/aspire-manifest.json --settings deploy/settings.json --output manifests" },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public async Task A_bad_argument_is_one_line_and_exit_code_1(string[] arguments, string expected)
    {
        var (exitCode, output, error) = await RunAsync(arguments);

        Assert.Equal(expected, error.Trim());
        Assert.Equal("", output);
        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task A_bad_value_in_the_settings_file_is_one_line_naming_file_line_key_value_and_example()
    {
        var path = Path.Combine(work, "settings.json");
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(DeploymentFiles.SettingsPath))!;
        settings["project"]!["region"] = "Europe";
        await File.WriteAllTextAsync(path, settings.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        var (exitCode, _, error) = await RunAsync(["check", "--settings", path]);

        Assert.Equal($"{path}:4: project.region = \"Europe\" is not allowed; use a GCP region, e.g. us-central1", error.Trim());
        Assert.Equal(1, exitCode);
    }

    /// <summary>The positive control: the committed settings pass the same check.</summary>
    [Fact]
    public async Task The_committed_settings_pass_the_check()
    {
        var (exitCode, output, error) = await RunAsync(["check", "--settings", "deploy/settings.json"]);

        Assert.True(exitCode == 0, $"exit {exitCode}: {output}{error}");
        Assert.Equal("", error);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(string[] arguments) =>
        DeploymentFiles.RunAsync("dotnet",
            [Path.Combine(DeploymentFiles.Root, "tools", "SdAgones.Manifests", "bin", DeploymentFiles.BuildConfiguration, "net10.0", "SdAgones.Manifests.dll"), .. arguments],
            TimeSpan.FromMinutes(1));
}
