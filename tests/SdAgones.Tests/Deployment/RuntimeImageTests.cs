using System.Text.RegularExpressions;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// The runtime images are built from pinned sources only (no branch, no "latest"), on bases that fit what they run;
/// these are the checks that need no Docker engine. Building and starting them needs one (docs/deploy-gke.md).
/// </summary>
public sealed partial class RuntimeImageTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(DeploymentFiles.Root, "deploy", "sd-webui", "Dockerfile"));

    [Fact]
    public void The_webui_image_pins_every_source_to_a_commit()
    {
        var pins = Pin().Matches(Dockerfile).Select(m => (Repo: m.Groups[1].Value, Commit: m.Groups[3].Value)).ToList();
        Assert.Equal(11, pins.Count); // the seed image's 11 extensions
        Assert.Equal(pins.Count, pins.Select(p => p.Repo).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(pins, p => p.Repo == "Mikubill/sd-webui-controlnet");

        foreach (var arg in new[] { "WEBUI_COMMIT", "STABLE_DIFFUSION_COMMIT_HASH", "SEED_REF" })
        {
            Assert.Matches($"ARG {arg}=[0-9a-f]{{40}}\\n", Dockerfile);
        }

        Assert.DoesNotContain(Dockerfile.Split('\n'), l => !l.TrimStart().StartsWith('#') && l.Contains("Stability-AI/stablediffusion", StringComparison.Ordinal));
        Assert.DoesNotContain("--branch", Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void Tcmalloc_is_preloaded_only_after_it_is_installed_and_the_base_is_not_a_deleted_cuda_tag()
    {
        var install = Dockerfile.IndexOf("libtcmalloc-minimal4", StringComparison.Ordinal);
        var preload = Dockerfile.IndexOf("ENV LD_PRELOAD=", StringComparison.Ordinal);
        Assert.True(install > 0 && preload > install, "LD_PRELOAD must be set after the RUN that installs libtcmalloc-minimal4.");

        var from = Assert.Single(FromLine().Matches(Dockerfile)).Groups[1].Value;
        Assert.StartsWith("nvidia/cuda:12.", from, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"^nvidia/cuda:12\.[01]\.", from); // 12.0 and 12.1 tags are end-of-life under NVIDIA's policy

        // The CLIP build is done the way A1111's fix does it, before launch.py would try it in an isolated build.
        Assert.Contains("pip install --no-build-isolation \"$CLIP_PACKAGE\"", Dockerfile, StringComparison.Ordinal);
        Assert.True(Dockerfile.IndexOf("--no-build-isolation", StringComparison.Ordinal) < Dockerfile.IndexOf("python launch.py", StringComparison.Ordinal));
    }

    [Fact]
    public void The_webui_writes_its_outputs_into_the_pod_local_workspace()
    {
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(DeploymentFiles.Root, "deploy", "sd-webui", "config.json")))!.AsObject();
        var outdirs = config.Where(p => p.Key.StartsWith("outdir_", StringComparison.Ordinal) && p.Value!.GetValue<string>().Length > 0).ToList();
        Assert.True(outdirs.Count >= 7);
        Assert.All(outdirs, p => Assert.StartsWith("/workspace/outputs/", p.Value!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Contains("COPY --chown=webui:webui config.json ui-config.json ./", Dockerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void The_agent_image_is_a_worker_base_not_aspnet()
    {
        var project = File.ReadAllText(Path.Combine(DeploymentFiles.Root, "src", "SdAgones.Agent", "SdAgones.Agent.csproj"));
        Assert.Contains("<ContainerBaseImage>mcr.microsoft.com/dotnet/runtime-deps:10.0</ContainerBaseImage>", project, StringComparison.Ordinal);

        // Positive control: the gateway serves HTTP and stays on aspnet.
        var gateway = File.ReadAllText(Path.Combine(DeploymentFiles.Root, "src", "SdAgones.Gateway", "SdAgones.Gateway.csproj"));
        Assert.Contains("<ContainerBaseImage>mcr.microsoft.com/dotnet/aspnet:10.0</ContainerBaseImage>", gateway, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"&& pin ([\w.-]+/[\w.-]+)\s+([\w.-]+)\s+([0-9a-f]{40})\s")]
    private static partial Regex Pin();

    [GeneratedRegex(@"(?m)^FROM\s+(\S+)")]
    private static partial Regex FromLine();
}
