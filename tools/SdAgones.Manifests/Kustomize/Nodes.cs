using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace SdAgones.Manifests.Kustomize;

/// <summary>Turns typed Kubernetes objects and kustomization files into the JSON trees the YAML writer takes.</summary>
internal static class Nodes
{
    /// <summary>A built-in object, serialized the way the Kubernetes client sends it (nulls left out).</summary>
    public static JsonNode From(object typed) => JsonNode.Parse(KubernetesJson.Serialize(typed))!;

    public static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => JsonValue.Create(i))]);

    public static JsonArray Array(IEnumerable<JsonNode> items) => new([.. items]);

    public static V1ObjectMeta Meta(string name, IDictionary<string, string>? labels = null, IDictionary<string, string>? annotations = null) =>
        new() { Name = name, Labels = labels, Annotations = annotations };

    public static Dictionary<string, ResourceQuantity> Quantities(params (string Name, string Value)[] items) =>
        items.ToDictionary(i => i.Name, i => new ResourceQuantity(i.Value));

    /// <summary>A kustomization file (kustomize.config.k8s.io/v1beta1) with the given fields.</summary>
    public static JsonObject Kustomization(params (string Key, JsonNode Value)[] fields)
    {
        var kustomization = new JsonObject
        {
            ["apiVersion"] = "kustomize.config.k8s.io/v1beta1",
            ["kind"] = "Kustomization",
        };
        foreach (var (key, value) in fields)
        {
            kustomization[key] = value;
        }

        return kustomization;
    }

    /// <summary>A configMapGenerator entry; literals are sorted by name so the file is stable.</summary>
    public static JsonObject ConfigMap(string name, IEnumerable<KeyValuePair<string, string>> literals, string? behavior = null)
    {
        var entry = new JsonObject
        {
            ["name"] = name,
            ["literals"] = Array(literals.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")),
        };
        if (behavior is not null)
        {
            entry["behavior"] = behavior;
        }

        return entry;
    }
}
