using k8s.Models;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>
/// The Filestore share (a PersistentVolume and its claim), how the runtimes and the gateway mount it, and the one-time
/// Job that gives it its layout and ownership.
/// </summary>
internal static class StorageObjects
{
    public const string SharedVolume = "sd-data";
    public const string VolumeName = "sd-agones-filestore";
    public const string StorageInitJob = "sd-agones-storage-init";

    /// <summary>Where the WebUI finds the shared models (read-only); the share's <c>models/</c> folder.</summary>
    public const string ModelsMount = RuntimeFleet.StorageRoot + "/" + RuntimeFleet.ModelsFolder;

    /// <summary>Where the agent and the gateway find the people's folders; the share's <c>users/</c> folder. The WebUI never mounts it.</summary>
    public const string UsersMountPath = RuntimeFleet.StorageRoot + "/" + RuntimeFleet.UsersFolder;

    /// <summary>The share's claim as a pod volume.</summary>
    public static V1Volume SharedVolumeSource() =>
        new() { Name = SharedVolume, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = VolumeName } };

    /// <summary>The people's folders (never the models), for the agent and the gateway.</summary>
    public static V1VolumeMount UsersMount() => new() { Name = SharedVolume, MountPath = UsersMountPath, SubPath = RuntimeFleet.UsersFolder };

    /// <summary>The models, read-only, for the WebUI.</summary>
    public static V1VolumeMount ModelsReadOnlyMount() =>
        new() { Name = SharedVolume, MountPath = ModelsMount, SubPath = RuntimeFleet.ModelsFolder, ReadOnlyProperty = true };

    public static V1PersistentVolume FilestoreVolume(DeploySettings settings) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolume",
        Metadata = Nodes.Meta(VolumeName),
        Spec = new V1PersistentVolumeSpec
        {
            Capacity = Nodes.Quantities(("storage", settings.Filestore.Capacity)),
            AccessModes = ["ReadWriteMany"],
            Nfs = new V1NFSVolumeSource { Server = settings.Filestore.Ip, Path = "/" + settings.Filestore.Share },
            PersistentVolumeReclaimPolicy = "Retain",
            StorageClassName = "",
            VolumeMode = "Filesystem",
            ClaimRef = new V1ObjectReference { Kind = "PersistentVolumeClaim", Name = VolumeName, NamespaceProperty = settings.Cluster.Namespace },
        },
    };

    public static V1PersistentVolumeClaim FilestoreClaim(DeploySettings settings) => new()
    {
        ApiVersion = "v1",
        Kind = "PersistentVolumeClaim",
        Metadata = Nodes.Meta(VolumeName),
        Spec = new V1PersistentVolumeClaimSpec
        {
            AccessModes = ["ReadWriteMany"],
            StorageClassName = "",
            VolumeName = VolumeName,
            Resources = new V1VolumeResourceRequirements { Requests = Nodes.Quantities(("storage", settings.Filestore.Capacity)) },
        },
    };

    /// <summary>
    /// The share's layout and ownership, which NFS does not take from <c>fsGroup</c>: <c>models/</c> owned by root and
    /// only readable by the runtimes (the WebUI mounts it read-only as well); <c>users/</c> owned by the runtimes' UID
    /// and closed to everyone else, so the agent (and the gateway's file pages) can create <c>users/&lt;label&gt;/</c>.
    /// Runs as root once per deploy, from the agent image (it has a shell and coreutils).
    /// </summary>
    public static V1Job StorageInit(DeploySettings settings) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = new V1ObjectMeta { Name = StorageInitJob, NamespaceProperty = settings.Cluster.Namespace },
        Spec = new V1JobSpec
        {
            BackoffLimit = 2,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "storage-init",
                            Image = settings.Images.Reference(RuntimeFleet.AgentContainer),
                            Command = ["/bin/sh", "-c", StorageInitScript],
                            SecurityContext = new V1SecurityContext { RunAsUser = 0, RunAsGroup = 0, RunAsNonRoot = false },
                            VolumeMounts = [new V1VolumeMount { Name = SharedVolume, MountPath = "/share" }],
                        },
                    ],
                    Volumes = [SharedVolumeSource()],
                },
            },
        },
    };

    /// <summary>The commands of <see cref="StorageInit"/>: idempotent, so every deploy may run them again.</summary>
    public static readonly string StorageInitScript = string.Join(" && ",
        "set -eu",
        $"mkdir -p /share/{RuntimeFleet.ModelsFolder} /share/{RuntimeFleet.UsersFolder}",
        $"chown 0:0 /share/{RuntimeFleet.ModelsFolder}",
        $"chmod 0755 /share/{RuntimeFleet.ModelsFolder}",
        $"chown {RuntimeFleet.RuntimeUid}:{RuntimeFleet.RuntimeUid} /share/{RuntimeFleet.UsersFolder}",
        $"chmod 0700 /share/{RuntimeFleet.UsersFolder}",
        "ls -ln /share");
}
