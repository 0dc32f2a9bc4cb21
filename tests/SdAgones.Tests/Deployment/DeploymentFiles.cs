using System.Diagnostics;
using System.Reflection;
using k8s;
using k8s.Models;
using SdAgones.Manifests.Aspire;
using SdAgones.Manifests.Settings;

namespace SdAgones.Tests.Deployment;

/// <summary>The committed deployment inputs and outputs: deploy/settings.json, deploy/aspire-manifest.json, manifests/.</summary>
internal static class DeploymentFiles
{
    public static string Root { get; } = FindRoot();

    public static string SettingsPath => Path.Combine(Root, "deploy", "settings.json");
    public static string AspireManifestPath => Path.Combine(Root, "deploy", "aspire-manifest.json");
    public static string ManifestsPath => Path.Combine(Root, "manifests");
    public static string OverlayPath => Path.Combine(ManifestsPath, "overlays", "gke");

    public static DeploySettings Settings() => DeploySettings.Parse(File.ReadAllText(SettingsPath), "deploy/settings.json");

    public static AspireManifest CommittedAspireManifest() => AspireManifest.Parse(File.ReadAllText(AspireManifestPath));

    /// <summary>Every YAML file under manifests/, as a path relative to it ('/' separators), in a stable order.</summary>
    public static IReadOnlyList<string> YamlFiles() =>
        Directory.EnumerateFiles(ManifestsPath, "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ManifestsPath, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static string ReadManifest(string relative) => File.ReadAllText(Path.Combine(ManifestsPath, relative));

    /// <summary>The apiVersion and kind of a YAML document, read leniently so that a strict read can follow.</summary>
    public static (string ApiVersion, string Kind) Header(string yaml)
    {
        var header = ReadHeader(yaml);
        return (header.ApiVersion ?? "", header.Kind ?? "");
    }

    /// <summary>apiVersion, kind and metadata of a YAML document; every other field is ignored.</summary>
    public static ObjectHeader ReadHeader(string yaml) => KubernetesYaml.Deserialize<ObjectHeader>(yaml);

    /// <summary>The configuration the tests were built in, so a child <c>dotnet run --no-build</c> finds the same binaries.</summary>
    public static string BuildConfiguration =>
        typeof(DeploymentFiles).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>Runs a program to completion; the exit code, standard output and standard error. A null value removes a variable.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string program, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s.\n{await output}\n{await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SdAgones.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No SdAgones.slnx above {AppContext.BaseDirectory}.");
    }

    internal sealed class ObjectHeader
    {
        public string? ApiVersion { get; set; }
        public string? Kind { get; set; }
        public V1ObjectMeta? Metadata { get; set; }
    }
}
