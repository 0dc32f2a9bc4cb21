using System.Text.Json.Nodes;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// deploy/gke.sh run for real, with recording stand-ins for gcloud, kubectl and helm (and for <c>dotnet publish</c>)
/// first on the PATH: the real generator, AppHost publisher, jq and kustomize run; nothing reaches a cloud.
/// </summary>
public sealed class GkeScriptTests : IDisposable
{
    private readonly string work = Directory.CreateTempSubdirectory("sdagones-gke-").FullName;
    private readonly string bin;
    private readonly string calls;
    private readonly string applied;

    public GkeScriptTests()
    {
        bin = Directory.CreateDirectory(Path.Combine(work, "bin")).FullName;
        calls = Path.Combine(work, "calls.log");
        applied = Path.Combine(work, "applied");
        Directory.CreateDirectory(applied);
        File.Copy(DeploymentFiles.SettingsPath, SettingsCopy);
        WriteStandIns();
    }

    private string SettingsCopy => Path.Combine(work, "settings.json");

    [Fact]
    public async Task Missing_inputs_stop_the_script_before_any_cloud_call_and_are_all_named()
    {
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(SettingsCopy))!;
        settings["filestore"]!.AsObject().Remove("ip");
        settings["cluster"]!["version"] = "1.33";
        settings["iap"]!["oauthSecretName"] = "iap-oauth-client";
        await File.WriteAllTextAsync(SettingsCopy, settings.ToJsonString());

        var (exitCode, output, error) = await RunAsync(new Dictionary<string, string?> { ["IAP_MEMBERS"] = null, ["IAP_CLIENT_ID"] = null, ["IAP_CLIENT_SECRET"] = null });

        Assert.True(exitCode == 2, $"gke.sh exited {exitCode}, not 2.\n{output}\n{error}");
        Assert.Contains("nothing in the cloud was touched", error, StringComparison.Ordinal);
        foreach (var expected in new[] { "IAP_MEMBERS", "IAP_CLIENT_ID", "IAP_CLIENT_SECRET", "filestore.ip is missing; add it with an IPv4 address, e.g. 10.0.0.2", "cluster.version = \"1.33\" is Kubernetes 1.33", "Agones 1.60.0" })
        {
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }

        Assert.Equal(1, error.Split('\n').Count(l => l.StartsWith("error:", StringComparison.Ordinal))); // one message
        Assert.False(File.Exists(calls), "gke.sh called the cloud tools before checking its inputs:\n" + (File.Exists(calls) ? File.ReadAllText(calls) : ""));
    }

    [Fact]
    public async Task A_sign_in_list_that_is_not_IAM_members_and_a_bad_setting_are_each_named_with_the_fix()
    {
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(SettingsCopy))!;
        settings["project"]!["region"] = "Europe";
        await File.WriteAllTextAsync(SettingsCopy, settings.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));

        var (exitCode, output, error) = await RunAsync(new Dictionary<string, string?> { ["IAP_MEMBERS"] = "user:alice@example.com,bob@example.com" });

        Assert.True(exitCode == 2, $"gke.sh exited {exitCode}, not 2.\n{output}\n{error}");
        Assert.Equal(
            [
                "error: deploy/gke.sh cannot start; nothing in the cloud was touched. Fix these 2 input(s):",
                "  - IAP_MEMBERS has \"bob@example.com\", which is not an IAM member; use user:EMAIL, group:EMAIL, serviceAccount:EMAIL or domain:DOMAIN, comma-separated, e.g. IAP_MEMBERS=user:alice@example.com,domain:example.com",
                $"  - {SettingsCopy}:4: project.region = \"Europe\" is not allowed; use a GCP region, e.g. us-central1",
            ],
            error.TrimEnd().Split('\n'));
        Assert.False(File.Exists(calls), "gke.sh called the cloud tools before checking its inputs");
    }

    [Fact]
    public async Task An_argument_stops_the_script_with_one_line_saying_where_inputs_go()
    {
        var (exitCode, output, error) = await RunAsync(new Dictionary<string, string?> { ["IAP_MEMBERS"] = "user:alice@example.com" }, "--project", "my-project");

        Assert.True(exitCode == 2, $"gke.sh exited {exitCode}, not 2.\n{output}\n{error}");
        Assert.Equal(
            $"error: deploy/gke.sh takes no arguments (got '--project'); settings go in {SettingsCopy} and who may sign in in IAP_MEMBERS, e.g. IAP_MEMBERS=user:alice@example.com deploy/gke.sh",
            error.Trim());
        Assert.False(File.Exists(calls), "gke.sh called the cloud tools");
    }

    [Fact]
    public async Task A_second_run_with_a_new_image_tag_applies_the_new_tag()
    {
        var env = new Dictionary<string, string?> { ["IAP_MEMBERS"] = "user:alice@example.com" };
        var first = await RunAsync(env);
        Assert.True(first.ExitCode == 0, $"The first run failed ({first.ExitCode}):\n{first.Output}\n{first.Error}");
        var firstApply = LastApplied();
        Assert.Contains("/sd-webui:0.1.0", firstApply, StringComparison.Ordinal); // positive control: what the first run applied

        var settings = JsonNode.Parse(await File.ReadAllTextAsync(SettingsCopy))!;
        settings["images"]!["tag"] = "0.2.0";
        await File.WriteAllTextAsync(SettingsCopy, settings.ToJsonString());

        var second = await RunAsync(env);
        Assert.True(second.ExitCode == 0, $"The second run failed ({second.ExitCode}):\n{second.Output}\n{second.Error}");
        var secondApply = LastApplied();
        foreach (var image in new[] { "sd-webui", "sdagones-agent", "sdagones-gateway", "sdagones-cruiser" })
        {
            Assert.Contains($"/{image}:0.2.0", secondApply, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(":0.1.0", secondApply, StringComparison.Ordinal);
        var log = await File.ReadAllTextAsync(calls);
        Assert.Contains("ContainerImageTag=0.2.0", log, StringComparison.Ordinal); // the images were rebuilt at the new tag
        Assert.Contains("helm upgrade --install sd-agones-release agones/agones --version 1.60.0", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_that_runs_a_version_agones_does_not_support_stops_the_deploy_naming_both()
    {
        var (exitCode, output, error) = await RunAsync(new Dictionary<string, string?>
        {
            ["IAP_MEMBERS"] = "user:alice@example.com",
            ["STANDIN_MASTER_VERSION"] = "1.37.1-gke.100", // a release channel upgraded it
        });

        Assert.True(exitCode == 3, $"gke.sh exited {exitCode}, not 3.\n{output}\n{error}");
        Assert.Contains("Kubernetes 1.37, which Agones 1.60.0 does not support (it supports 1.34, 1.35, 1.36)", error, StringComparison.Ordinal);
        var log = await File.ReadAllTextAsync(calls);
        Assert.Contains("gcloud container clusters describe", log, StringComparison.Ordinal); // it got as far as asking
        Assert.DoesNotContain("helm ", log, StringComparison.Ordinal); // and installed nothing on that cluster
        Assert.DoesNotContain("kubectl apply", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_profiles_get_one_GPU_node_pool_each_from_the_same_settings_and_no_profiles_the_one_T4_pool()
    {
        var settings = JsonNode.Parse(await File.ReadAllTextAsync(SettingsCopy))!;
        settings["profiles"] = ProfileOverlayTests.TwoProfiles();
        await File.WriteAllTextAsync(SettingsCopy, settings.ToJsonString());

        var (exitCode, output, error) = await RunAsync(new Dictionary<string, string?> { ["IAP_MEMBERS"] = "user:alice@example.com", ["STANDIN_NO_POOLS"] = "1" });

        Assert.True(exitCode == 0, $"gke.sh exited {exitCode}.\n{output}\n{error}");
        var creates = File.ReadAllLines(calls).Where(l => l.StartsWith("gcloud container node-pools create", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, creates.Count);
        Assert.Contains("node-pools create gpu-t4 ", creates[0], StringComparison.Ordinal);
        Assert.Contains("--machine-type n1-standard-8 --accelerator type=nvidia-tesla-t4,count=2,gpu-driver-version=default", creates[0], StringComparison.Ordinal);
        Assert.DoesNotContain("--spot", creates[0], StringComparison.Ordinal);
        Assert.Contains("--total-max-nodes 4 ", creates[0], StringComparison.Ordinal);
        Assert.Contains("node-pools create gpu-l4 ", creates[1], StringComparison.Ordinal);
        Assert.Contains("--machine-type g2-standard-8 --accelerator type=nvidia-l4,count=1,gpu-driver-version=default --spot", creates[1], StringComparison.Ordinal);
        Assert.Contains("--total-max-nodes 2 ", creates[1], StringComparison.Ordinal);

        // Without profiles: the one T4 spot pool of cluster.gpuMachineType and cluster.gpuMaxNodes, as before.
        File.Delete(calls);
        File.Copy(DeploymentFiles.SettingsPath, SettingsCopy, overwrite: true);
        (exitCode, output, error) = await RunAsync(new Dictionary<string, string?> { ["IAP_MEMBERS"] = "user:alice@example.com", ["STANDIN_NO_POOLS"] = "1" });
        Assert.True(exitCode == 0, $"gke.sh exited {exitCode}.\n{output}\n{error}");
        var single = Assert.Single(File.ReadAllLines(calls), l => l.StartsWith("gcloud container node-pools create", StringComparison.Ordinal));
        Assert.Contains("node-pools create gpu-t4 ", single, StringComparison.Ordinal);
        Assert.Contains("--machine-type custom-4-49152-ext --accelerator type=nvidia-tesla-t4,count=1,gpu-driver-version=default --spot", single, StringComparison.Ordinal);
        Assert.Contains("--total-max-nodes 6 ", single, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(work, recursive: true);

    private string LastApplied() =>
        File.ReadAllText(Directory.EnumerateFiles(applied).Order(StringComparer.Ordinal).Last());

    private Task<(int ExitCode, string Output, string Error)> RunAsync(Dictionary<string, string?> environment, params string[] arguments)
    {
        var all = new Dictionary<string, string?>(environment)
        {
            ["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            ["SDAGONES_SETTINGS"] = SettingsCopy,
            ["SDAGONES_MANIFESTS"] = Path.Combine(work, "manifests"),
            ["SDAGONES_ASPIRE_MANIFEST"] = Path.Combine(work, "aspire-manifest.json"),
            ["SDAGONES_PREBUILT"] = "1",
            ["SDAGONES_CONFIGURATION"] = DeploymentFiles.BuildConfiguration,
            ["STANDIN_LOG"] = calls,
            ["STANDIN_APPLIED"] = applied,
        };
        return DeploymentFiles.RunAsync("bash", [Path.Combine(DeploymentFiles.Root, "deploy", "gke.sh"), .. arguments], TimeSpan.FromMinutes(4), all);
    }

    /// <summary>
    /// gcloud answers what the script asks (the resources exist, their addresses, a supported version); kubectl renders
    /// what <c>apply -k</c> would send and keeps it; helm and <c>dotnet publish</c> only record. Every call is logged.
    /// </summary>
    private void WriteStandIns()
    {
        var kubectl = DeploymentFiles.OnPath("kubectl") ?? throw new InvalidOperationException("kubectl is not on PATH.");
        var dotnet = DeploymentFiles.OnPath("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH.");
        Write("gcloud", """
            echo "gcloud $*" >>"$STANDIN_LOG"
            case "$*" in
              *"clusters describe"*currentMasterVersion*) echo "${STANDIN_MASTER_VERSION:-1.35.2-gke.1100}" ;;
              *"get-server-config"*) echo "1.36.1-gke.200;1.35.2-gke.1100;1.34.5-gke.300" ;;
              *"filestore instances describe"*ipAddresses*) echo "10.0.0.2" ;;
              *"redis instances describe"*"value(host)"*) echo "10.0.0.3" ;;
              *"redis instances describe"*"value(port)"*) echo "6379" ;;
              *"compute addresses describe"*address*) echo "203.0.113.7" ;;
              *"projects describe"*projectNumber*) echo "123456789012" ;;
              *"backend-services list"*"value(id)"*) echo "1234567890123456789" ;;
              *"backend-services list"*"value(name)"*) echo "k8s1-abc-default-gateway-8080-xyz" ;;
              *"monitoring"*" list "*) ;;
              *"node-pools describe"*) [[ -n "${STANDIN_NO_POOLS:-}" ]] && exit 1 ;;
            esac
            exit 0
            """);
        Write("kubectl", $$"""
            echo "kubectl $*" >>"$STANDIN_LOG"
            if [[ "$1" == apply && "$2" == -k ]]; then
              exec "{{kubectl}}" kustomize "$3" >"$STANDIN_APPLIED/$(date +%s%N).yaml"
            fi
            [[ "$*" == *"-f -"* ]] && cat >/dev/null
            exit 0
            """);
        Write("helm", """
            echo "helm $*" >>"$STANDIN_LOG"
            exit 0
            """);
        Write("dotnet", $$"""
            if [[ "$1" == publish ]]; then echo "dotnet $*" >>"$STANDIN_LOG"; exit 0; fi
            exec "{{dotnet}}" "$@"
            """);
    }

    private void Write(string name, string body)
    {
        var path = Path.Combine(bin, name);
        File.WriteAllText(path, "#!/usr/bin/env bash\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
