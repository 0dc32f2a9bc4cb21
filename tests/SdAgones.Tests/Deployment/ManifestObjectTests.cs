using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using SdAgones.Manifests.CustomResources;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// Every object in manifests/ reads back strictly into a typed model, so a misspelled or misplaced field, which the API
/// server would drop or reject at apply time, fails here instead; and nothing is left for an operator to fill in.
/// </summary>
public sealed partial class ManifestObjectTests
{
    /// <summary>The built-in kinds manifests/ uses, by apiVersion/kind, and KubernetesClient's model for each.</summary>
    private static readonly Dictionary<string, Type> BuiltIn = new(StringComparer.Ordinal)
    {
        ["apps/v1/Deployment"] = typeof(V1Deployment),
        ["v1/Service"] = typeof(V1Service),
        ["v1/ServiceAccount"] = typeof(V1ServiceAccount),
        ["v1/ConfigMap"] = typeof(V1ConfigMap),
        ["batch/v1/Job"] = typeof(V1Job),
        ["v1/PersistentVolume"] = typeof(V1PersistentVolume),
        ["v1/PersistentVolumeClaim"] = typeof(V1PersistentVolumeClaim),
        ["rbac.authorization.k8s.io/v1/Role"] = typeof(V1Role),
        ["rbac.authorization.k8s.io/v1/RoleBinding"] = typeof(V1RoleBinding),
        ["policy/v1/PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
        ["networking.k8s.io/v1/Ingress"] = typeof(V1Ingress),
        ["networking.k8s.io/v1/NetworkPolicy"] = typeof(V1NetworkPolicy),
    };

    [Fact]
    public void Every_built_in_object_deserializes_strictly_into_its_typed_model()
    {
        var problems = new List<string>();
        var checkedCount = 0;
        foreach (var file in DeploymentFiles.YamlFiles())
        {
            var yaml = DeploymentFiles.ReadManifest(file);
            var (apiVersion, kind) = DeploymentFiles.Header(yaml);
            if (kind == "Kustomization" || CustomResourceModels.Types.ContainsKey($"{apiVersion}/{kind}"))
            {
                continue; // kustomize's own files and the CRDs have their own tests
            }

            if (!BuiltIn.TryGetValue($"{apiVersion}/{kind}", out var model))
            {
                problems.Add($"{file}: {apiVersion}/{kind} has no typed model in this test; add one");
                continue;
            }

            try
            {
                StrictRead(yaml, model);
                checkedCount++;
            }
            catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or InvalidOperationException)
            {
                problems.Add($"{file}: {Innermost(ex)}");
            }
        }

        Assert.True(problems.Count == 0, "Objects that would not apply as written:\n  " + string.Join("\n  ", problems));
        Assert.True(checkedCount >= 15, $"Only {checkedCount} built-in objects were found under manifests/.");
    }

    [Fact]
    public void The_strict_read_rejects_a_misspelled_field()
    {
        var yaml = DeploymentFiles.ReadManifest("overlays/gke/gateway-deployment.patch.yaml");
        Assert.Contains("replicas:", yaml, StringComparison.Ordinal);

        var error = Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => StrictRead(yaml.Replace("replicas:", "replicaz:", StringComparison.Ordinal), typeof(V1Deployment)));
        Assert.Contains("replicaz", Innermost(error), StringComparison.Ordinal);
    }

    [Fact]
    public void No_object_carries_a_placeholder_or_an_unresolved_expression()
    {
        var problems = new List<string>();
        foreach (var file in DeploymentFiles.YamlFiles())
        {
            var lines = DeploymentFiles.ReadManifest(file).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith('#'))
                {
                    continue;
                }

                foreach (Match match in Placeholder().Matches(lines[i]))
                {
                    problems.Add($"{file}:{i + 1}: '{match.Value}'");
                }
            }
        }

        Assert.True(problems.Count == 0, "Placeholders an operator would have to replace by hand:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [InlineData("image: <REGISTRY>/sd-webui")]
    [InlineData("server: ${FILESTORE_IP}")]
    [InlineData("- ConnectionStrings__cache={cache.connectionString}")]
    [InlineData("domain: REPLACE_ME")]
    public void The_placeholder_check_recognises_common_forms(string line) =>
        Assert.Matches(Placeholder(), line);

    internal static object StrictRead(string yaml, Type model)
    {
        var read = typeof(KubernetesYaml).GetMethod(nameof(KubernetesYaml.Deserialize), [typeof(string), typeof(bool)])!.MakeGenericMethod(model);
        try
        {
            return read.Invoke(null, [yaml, true])!;
        }
        catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    internal static string Innermost(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
        }

        return string.Join(" -> ", messages);
    }

    // <PROJECT_ID>, ${VAR}, an Aspire expression left unresolved ({cache.connectionString}), REPLACE_ME / CHANGE_ME / TODO.
    [GeneratedRegex(@"<[A-Z][A-Z0-9_-]*>|\$\{[^}]*\}|\{[a-z][a-z0-9-]*\.[A-Za-z0-9_.]+\}|\b(REPLACE_ME|CHANGE_ME|CHANGEME|TODO|FIXME)\b")]
    private static partial Regex Placeholder();
}
