using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SdAgones.Manifests.Aspire;

/// <summary>An Aspire manifest (<c>--publisher manifest</c>) that cannot be turned into Kubernetes objects.</summary>
public sealed class AspireManifestException(string message) : Exception(message);

/// <summary>
/// One deployable project of the app model: its plain environment, the environment that refers to secret parameters
/// (Aspirate puts those in a Secret, never a ConfigMap), and its HTTP port.
/// </summary>
public sealed record AspireProject(
    string Name, IReadOnlyList<KeyValuePair<string, string>> Environment, IReadOnlyList<KeyValuePair<string, string>> Secrets, int HttpPort)
{
    /// <summary>Every variable, plain and secret.</summary>
    public IEnumerable<KeyValuePair<string, string>> AllEnvironment => Environment.Concat(Secrets);
}

/// <summary>
/// The AppHost's description of production (<c>dotnet run --project src/SdAgones.AppHost -- --publisher manifest</c>):
/// which projects to deploy and what environment each gets, with <c>{resource.path}</c> expressions that point at
/// other resources or at parameters whose values come from deploy/settings.json.
/// </summary>
public sealed partial class AspireManifest
{
    private static readonly HashSet<string> ProjectTypes = ["project.v0", "project.v1"];
    private static readonly HashSet<string> ResolvedOnlyTypes = ["parameter.v0", "value.v0"];
    private readonly JsonObject resources;

    private AspireManifest(JsonObject root, JsonObject resources)
    {
        Root = root;
        this.resources = resources;
    }

    private JsonObject Root { get; }

    public static AspireManifest Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new AspireManifestException($"The Aspire manifest is not valid JSON: {ex.Message}");
        }

        if (root is not JsonObject rootObject || rootObject["resources"] is not JsonObject resources)
        {
            throw new AspireManifestException("The Aspire manifest has no 'resources' object.");
        }

        foreach (var (name, resource) in resources)
        {
            var type = resource?["type"]?.GetValue<string>();
            if (type is null || !(ProjectTypes.Contains(type) || ResolvedOnlyTypes.Contains(type)))
            {
                throw new AspireManifestException(
                    $"Aspire resource '{name}' has type '{type}', which the generator does not deploy (it knows project.v0/v1, parameter.v0, value.v0).");
            }
        }

        return new AspireManifest(rootObject, resources);
    }

    /// <summary>The projects, in name order, with every expression in their environment resolved.</summary>
    public IReadOnlyList<AspireProject> Projects(IReadOnlyDictionary<string, string> parameters)
    {
        var projects = new List<AspireProject>();
        foreach (var (name, resource) in resources.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (!ProjectTypes.Contains(resource!["type"]!.GetValue<string>()))
            {
                continue;
            }

            var environment = new List<KeyValuePair<string, string>>();
            var secrets = new List<KeyValuePair<string, string>>();
            if (resource["env"] is JsonObject env)
            {
                foreach (var (key, value) in env)
                {
                    var text = value?.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value?.ToJsonString() ?? "";
                    var entry = new KeyValuePair<string, string>(key, Resolve(text, parameters, $"{name}.env.{key}", depth: 0));
                    (RefersToSecret(text, depth: 0) ? secrets : environment).Add(entry);
                }
            }

            var port = resource["bindings"]?["http"]?["targetPort"]?.GetValue<int>()
                ?? throw new AspireManifestException($"Aspire project '{name}' has no 'http' binding with a targetPort.");
            projects.Add(new AspireProject(name, environment, secrets, port));
        }

        return projects;
    }

    /// <summary>
    /// The manifest as it would read if written to <paramref name="toDirectory"/> instead of <paramref name="fromDirectory"/>:
    /// Aspire writes project paths relative to the manifest's folder, so a copy kept in the repository stays the same
    /// wherever the repository is checked out.
    /// </summary>
    public string ToJson(string fromDirectory, string toDirectory)
    {
        var copy = Root.DeepClone().AsObject();
        foreach (var (_, resource) in copy["resources"]!.AsObject())
        {
            if (resource?["path"] is JsonValue path && path.GetValueKind() == JsonValueKind.String)
            {
                var absolute = Path.GetFullPath(Path.Combine(fromDirectory, path.GetValue<string>()));
                resource["path"] = Path.GetRelativePath(toDirectory, absolute).Replace('\\', '/');
            }
        }

        var options = new JsonSerializerOptions { WriteIndented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        return copy.ToJsonString(options) + "\n";
    }

    private string Resolve(string value, IReadOnlyDictionary<string, string> parameters, string where, int depth)
    {
        if (depth > 8)
        {
            throw new AspireManifestException($"'{where}': expressions refer to each other in a loop.");
        }

        return Expression().Replace(value, match =>
        {
            var resourceName = match.Groups["resource"].Value;
            var path = match.Groups["path"].Value;
            if (resources[resourceName] is not JsonObject resource)
            {
                throw new AspireManifestException($"'{where}' refers to '{{{resourceName}.{path}}}', but there is no resource '{resourceName}'.");
            }

            if (path == "inputs.value" || (path == "value" && resource["value"] is null))
            {
                return parameters.TryGetValue(resourceName, out var supplied)
                    ? supplied
                    : throw new AspireManifestException(
                        $"'{where}' needs the value of Aspire parameter '{resourceName}', and deploy/settings.json does not supply one.");
            }

            JsonNode? node = resource;
            foreach (var segment in path.Split('.'))
            {
                node = node is JsonObject obj ? obj[segment] : null;
            }

            return node switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => Resolve(v.GetValue<string>(), parameters, where, depth + 1),
                JsonValue v => v.ToJsonString(),
                _ => throw new AspireManifestException($"'{where}' refers to '{{{resourceName}.{path}}}', which the manifest does not have."),
            };
        });
    }

    /// <summary>Whether an expression reaches, directly or through other expressions, a parameter input marked <c>secret</c>.</summary>
    private bool RefersToSecret(string value, int depth)
    {
        foreach (Match match in Expression().Matches(value))
        {
            if (resources[match.Groups["resource"].Value] is not JsonObject resource)
            {
                continue;
            }

            if (resource["inputs"] is JsonObject inputs && inputs.Any(i => i.Value?["secret"]?.GetValueKind() == JsonValueKind.True))
            {
                return true;
            }

            JsonNode? node = resource;
            foreach (var segment in match.Groups["path"].Value.Split('.'))
            {
                node = node is JsonObject obj ? obj[segment] : null;
            }

            if (depth < 8 && node is JsonValue v && v.GetValueKind() == JsonValueKind.String && RefersToSecret(v.GetValue<string>(), depth + 1))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"\{(?<resource>[A-Za-z0-9_-]+)\.(?<path>[A-Za-z0-9_.-]+)\}")]
    private static partial Regex Expression();
}
