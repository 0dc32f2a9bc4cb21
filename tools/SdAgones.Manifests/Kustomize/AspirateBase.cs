using k8s.Models;
using SdAgones.Manifests.Aspire;
using SdAgones.Manifests.Output;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>
/// <c>manifests/base/</c>: what Aspirate would write for each project of the app model (deployment.yaml,
/// service.yaml, a kustomization with the <c>&lt;name&gt;-env</c> ConfigMap), and a kustomization listing them.
/// Only what the app model says is here; everything GKE-specific is in the overlay.
/// </summary>
internal static class AspirateBase
{
    public const string Folder = "base";

    /// <summary>The image repository a project is published to (<c>ContainerRepository</c>).</summary>
    public static string ImageRepository(string project) => "sdagones-" + project;

    public static void Add(GeneratedFiles files, IReadOnlyList<AspireProject> projects, DeploySettings settings)
    {
        foreach (var project in projects)
        {
            var folder = $"{Folder}/{project.Name}";
            files.AddYaml($"{folder}/deployment.yaml", Nodes.From(Deployment(project, settings)));
            files.AddYaml($"{folder}/service.yaml", Nodes.From(Service(project)));

            var environment = project.Environment
                .Append(new("ASPNETCORE_URLS", $"http://+:{project.HttpPort}"))
                .ToList();
            var duplicates = environment.GroupBy(e => e.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                throw new AspireManifestException($"Aspire project '{project.Name}' sets {string.Join(", ", duplicates)} more than once.");
            }

            files.AddYaml($"{folder}/kustomization.yaml", Nodes.Kustomization(
                ("resources", Nodes.Array(["deployment.yaml", "service.yaml"])),
                ("configMapGenerator", Nodes.Array([Nodes.ConfigMap(EnvConfigMap(project.Name), environment)]))));
        }

        files.AddYaml($"{Folder}/kustomization.yaml", Nodes.Kustomization(
            ("resources", Nodes.Array(projects.Select(p => p.Name)))));
    }

    public static string EnvConfigMap(string project) => project + "-env";

    private static V1Deployment Deployment(AspireProject project, DeploySettings settings)
    {
        var labels = new Dictionary<string, string> { ["app"] = project.Name };
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Nodes.Meta(project.Name, labels),
            Spec = new V1DeploymentSpec
            {
                MinReadySeconds = 60,
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 },
                },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container
                            {
                                Name = project.Name,
                                Image = settings.Images.Reference(ImageRepository(project.Name)),
                                ImagePullPolicy = "IfNotPresent",
                                Ports = [new V1ContainerPort { Name = "http", ContainerPort = project.HttpPort }],
                                EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = EnvConfigMap(project.Name) } }],
                            },
                        ],
                        TerminationGracePeriodSeconds = 180,
                    },
                },
            },
        };
    }

    private static V1Service Service(AspireProject project) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Nodes.Meta(project.Name, new Dictionary<string, string> { ["app"] = project.Name }),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = new Dictionary<string, string> { ["app"] = project.Name },
            Ports = [new V1ServicePort { Name = "http", Port = project.HttpPort, TargetPort = project.HttpPort, Protocol = "TCP" }],
        },
    };
}
