using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using SdAgones.Manifests.CustomResources;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// On GKE the isolation between people holds by what each runtime container has mounted: the WebUI (which the person
/// controls through its settings, API and extensions) sees the models read-only and a pod-local workspace, never the
/// people's folders; only the agent mounts <c>users/</c>. And the share is owned so that the runtimes' UID can create
/// a person's folder there, which NFS does not arrange by itself.
/// </summary>
public sealed partial class RuntimeStorageTests
{
    [Fact]
    public void The_webui_container_mounts_the_models_read_only_and_never_the_peoples_folders()
    {
        var pod = FleetPod();
        var shared = Assert.Single(pod.Volumes ?? [], v => v.PersistentVolumeClaim is not null).Name;
        var workspace = Assert.Single(pod.Volumes ?? [], v => v.EmptyDir is not null).Name;

        var webUi = Assert.Single(pod.Containers, c => c.Name == "stable-diffusion-webui");
        var sharedMounts = (webUi.VolumeMounts ?? []).Where(m => m.Name == shared).ToList();
        var models = Assert.Single(sharedMounts);
        Assert.Equal("models", models.SubPath);
        Assert.True(models.ReadOnlyProperty == true, "The WebUI's models mount must be readOnly: a person could otherwise change everyone's models.");
        Assert.Contains(webUi.VolumeMounts ?? [], m => m.Name == workspace && m.MountPath == "/workspace" && m.ReadOnlyProperty != true);

        // Positive control: the agent, and only the agent, reaches the people's folders, writable.
        var agent = Assert.Single(pod.Containers, c => c.Name == "sdagones-agent");
        var users = Assert.Single(agent.VolumeMounts ?? [], m => m.Name == shared);
        Assert.Equal(("users", "/sd_dir/users"), (users.SubPath, users.MountPath));
        Assert.NotEqual(true, users.ReadOnlyProperty);
        Assert.Contains(agent.VolumeMounts ?? [], m => m.Name == workspace && m.MountPath == "/workspace");
        Assert.Contains(agent.Env ?? [], e => e.Name == "Storage__Root" && e.Value + "/users" == users.MountPath);
    }

    [Fact]
    public void The_share_is_owned_by_the_uid_the_runtimes_run_as()
    {
        var webUiUid = int.Parse(WebUiUid().Match(File.ReadAllText(Path.Combine(DeploymentFiles.Root, "deploy", "sd-webui", "Dockerfile"))).Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
        var pod = FleetPod();
        foreach (var container in pod.Containers)
        {
            Assert.True(container.SecurityContext?.RunAsUser == webUiUid,
                $"Container {container.Name} runs as {container.SecurityContext?.RunAsUser?.ToString() ?? "the image's user"}, not {webUiUid}.");
            Assert.True(container.SecurityContext?.RunAsNonRoot, $"Container {container.Name} may run as root.");
        }

        Assert.Equal(webUiUid, pod.SecurityContext?.FsGroup);

        var job = KubernetesYaml.Deserialize<V1Job>(DeploymentFiles.ReadManifest("jobs/storage-init.yaml"), strict: true);
        var init = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal(0, init.SecurityContext?.RunAsUser); // only root may chown on the share
        Assert.Equal("sd-agones-filestore", Assert.Single(job.Spec.Template.Spec.Volumes).PersistentVolumeClaim?.ClaimName);
        var script = string.Join(' ', init.Command ?? []);
        Assert.Contains($"chown {webUiUid}:{webUiUid} /share/users", script, StringComparison.Ordinal);
        Assert.Contains("chown 0:0 /share/models", script, StringComparison.Ordinal);
        Assert.Matches(@"chmod 0[0-7]55 /share/models", script); // readable by the runtimes, writable by no one but root
        Assert.Equal(DeploymentFiles.Settings().Cluster.Namespace, job.Metadata.NamespaceProperty);

        // The deploy runs it, and waits for it, after applying the overlay (which creates the claim).
        var script2 = File.ReadAllText(Path.Combine(DeploymentFiles.Root, "deploy", "gke.sh"));
        var apply = script2.IndexOf("kubectl apply -k \"$manifests/overlays/gke\"", StringComparison.Ordinal);
        var job2 = script2.IndexOf("jobs/storage-init.yaml", StringComparison.Ordinal);
        Assert.True(apply > 0 && job2 > apply, "deploy/gke.sh must apply manifests/jobs/storage-init.yaml after the overlay.");
    }

    [Fact]
    public void The_gateway_reaches_the_peoples_folders_for_my_files_but_not_the_models()
    {
        var patch = KubernetesYaml.Deserialize<V1Deployment>(DeploymentFiles.ReadManifest("overlays/gke/gateway-deployment.patch.yaml"), strict: true);
        var pod = patch.Spec.Template.Spec;
        var shared = Assert.Single(pod.Volumes ?? []);
        Assert.Equal("sd-agones-filestore", shared.PersistentVolumeClaim?.ClaimName);
        var gateway = Assert.Single(pod.Containers);
        var mount = Assert.Single(gateway.VolumeMounts ?? []);
        Assert.Equal(("users", "/sd_dir/users"), (mount.SubPath, mount.MountPath));
        Assert.Equal(1654, gateway.SecurityContext?.RunAsUser); // the UID that owns users/
    }

    private static V1PodSpec FleetPod()
    {
        var fleet = KubernetesYaml.Deserialize<AgonesFleet>(DeploymentFiles.ReadManifest("overlays/gke/fleet.yaml"), strict: true);
        return fleet.Spec?.Template?.Spec?.Template?.Spec ?? throw new InvalidOperationException("fleet.yaml has no pod template.");
    }

    [GeneratedRegex(@"ARG WEBUI_UID=([0-9]+)")]
    private static partial Regex WebUiUid();
}
