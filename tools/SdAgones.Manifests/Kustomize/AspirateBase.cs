using System.Text.Json.Nodes;
using k8s.Models;
using SdAgones.Manifests.Aspire;
using SdAgones.Manifests.Output;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>
/// <c>manifests/base/</c>: what Aspirate would write for each project of the app model (deployment.yaml,
/// service.yaml, a kustomization with the <c>&lt;name&gt;-env</c> ConfigMap and, for values that come from secret
/// parameters, the <c>&lt;name&gt;-secrets</c> Secret read from <c>.&lt;name&gt;.secrets</c>), and a kustomization listing them.
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

            // Aspirate adds ASPNETCORE_URLS; Aspire's manifest already says HTTP_PORTS, and two port settings that could
            // disagree are one too many, so ASPNETCORE_URLS is added only when the app model gives no port.
            var environment = project.Environment.ToList();
            if (!environment.Any(e => e.Key is "HTTP_PORTS" or "ASPNETCORE_URLS" or "ASPNETCORE_HTTP_PORTS"))
            {
                environment.Add(new("ASPNETCORE_URLS", $"http://+:{project.HttpPort}"));
            }

            var duplicates = environment.Concat(project.Secrets).GroupBy(e => e.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                throw new AspireManifestException($"Aspire project '{project.Name}' sets {string.Join(", ", duplicates)} more than once.");
            }

            var fields = new List<(string, JsonNode)>
            {
                ("resources", Nodes.Array(["deployment.yaml", "service.yaml"])),
                ("configMapGenerator", Nodes.Array([Nodes.ConfigMap(EnvConfigMap(project.Name), environment)])),
            };
            if (project.Secrets.Count > 0)
            {
                var secretsFile = SecretsFile(project.Name);
                files.AddText($"{folder}/{secretsFile}", string.Concat(
                    project.Secrets.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}\n")), withHeader: true);
                fields.Add(("secretGenerator", Nodes.Array([new JsonObject { ["name"] = SecretName(project.Name), ["envs"] = Nodes.Array([secretsFile]) }])));
            }

            files.AddYaml($"{folder}/kustomization.yaml", Nodes.Kustomization([.. fields]));
        }

        files.AddYaml($"{Folder}/kustomization.yaml", Nodes.Kustomization(
            ("resources", Nodes.Array(projects.Select(p => p.Name)))));
    }

    public static string EnvConfigMap(string project) => project + "-env";

    /// <summary>The Secret Aspirate generates for a project's secret values.</summary>
    public static string SecretName(string project) => project + "-secrets";

    private static string SecretsFile(string project) => $".{project}.secrets";

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
                                EnvFrom = project.Secrets.Count == 0
                                    ? [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = EnvConfigMap(project.Name) } }]
                                    :
                                    [
                                        new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = EnvConfigMap(project.Name) } },
                                        new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = SecretName(project.Name) } },
                                    ],
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
