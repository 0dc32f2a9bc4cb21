using System.Collections;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Api;

/// <summary>
/// <c>/openapi/v3</c> as kubectl reads it: an index of group-version documents, each with the schemas of its kinds
/// (tagged <c>x-kubernetes-group-version-kind</c>, for <c>kubectl explain</c>) and the operations whose
/// <c>fieldValidation</c> parameter tells kubectl that the server validates fields itself (so <c>kubectl create -f</c>
/// needs no client-side schema). Schemas are read from the same model types the server answers with.
/// </summary>
internal static class OpenApiDocuments
{
    private sealed record Kind(string Group, string Version, string Name, Type Model, string Description, string? Path, string[] Actions);

    private static readonly Kind[] Kinds =
    [
        new(AgonesApi.Group, AgonesApi.Version, GameServer.KindName, typeof(GameServer),
            "GameServer is one runtime: a pod with the WebUI, the in-pod agent and the Agones SDK sidecar.",
            $"/apis/{AgonesApi.Group}/{AgonesApi.Version}/namespaces/{{namespace}}/{AgonesApi.GameServers}/{{name}}", ["get", "patch", "delete"]),
        new(AgonesApi.Group, AgonesApi.Version, "Fleet", typeof(Fleet),
            "Fleet is a set of warm GameServers kept at a number of replicas.",
            $"/apis/{AgonesApi.Group}/{AgonesApi.Version}/namespaces/{{namespace}}/{AgonesApi.Fleets}/{{name}}", ["get", "patch"]),
        // kubectl learns that the server validates fields from the fieldValidation parameter of a kind's PATCH
        // operation and knows no other (k8s.io/cli-runtime pkg/resource/query_param_verifier_v3.go); without it, it
        // validates on the client with /openapi/v2 in protobuf, which LocalAgones does not serve. So the create-only
        // GameServerAllocation lists a PATCH here that the server answers with 405.
        new(AgonesApi.AllocationGroup, AgonesApi.Version, "GameServerAllocation", typeof(GameServerAllocation),
            "GameServerAllocation takes a Ready GameServer that matches a selector and moves it to Allocated; the answer is in status.",
            $"/apis/{AgonesApi.AllocationGroup}/{AgonesApi.Version}/namespaces/{{namespace}}/{AgonesApi.Allocations}", ["post", "patch"]),
    ];

    private static readonly Lazy<Dictionary<string, string>> Documents = new(Build);

    public static WebApplication MapOpenApi(this WebApplication app)
    {
        app.MapGet("/openapi/v3", () =>
        {
            var paths = new JsonObject();
            foreach (var (key, text) in Documents.Value)
            {
                paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={Hash(text)}" };
            }

            return Results.Text(new JsonObject { ["paths"] = paths }.ToJsonString(), "application/json");
        });
        app.MapGet("/openapi/v3/{**key}", (string key) => Documents.Value.TryGetValue(key, out var text)
            ? Results.Text(text, "application/json")
            : KubernetesApi.Error(StatusCodes.Status404NotFound, "NotFound", $"no OpenAPI document for \"{key}\"; see /openapi/v3"));
        return app;
    }

    private static Dictionary<string, string> Build()
    {
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in Kinds.GroupBy(k => (k.Group, k.Version)))
        {
            var schemas = new JsonObject();
            var paths = new JsonObject();
            foreach (var kind in group)
            {
                var name = SchemaName(kind.Model);
                Schema(kind.Model, schemas);
                var schema = (JsonObject)schemas[name]!;
                schema["description"] = kind.Description;
                schema["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(kind));
                if (kind.Path is { } path)
                {
                    var item = new JsonObject();
                    foreach (var action in kind.Actions)
                    {
                        item[action] = Operation(kind, action, name);
                    }

                    paths[path] = item;
                }
            }

            var document = new JsonObject
            {
                ["openapi"] = "3.0.0",
                ["info"] = new JsonObject { ["title"] = "LocalAgones", ["version"] = "v1.31.0" },
                ["paths"] = paths,
                ["components"] = new JsonObject { ["schemas"] = schemas },
            };
            var key = group.Key.Group.Length == 0 ? $"api/{group.Key.Version}" : $"apis/{group.Key.Group}/{group.Key.Version}";
            documents[key] = document.ToJsonString();
        }

        return documents;
    }

    private static JsonObject Operation(Kind kind, string action, string schema)
    {
        var parameters = new JsonArray();
        if (action is "post" or "patch" or "put")
        {
            foreach (var query in (string[])["dryRun", "fieldManager", "fieldValidation"])
            {
                parameters.Add(new JsonObject { ["name"] = query, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true } });
            }
        }

        var reference = new JsonObject { ["$ref"] = $"#/components/schemas/{schema}" };
        return new JsonObject
        {
            ["operationId"] = $"{action}{kind.Name}",
            ["parameters"] = parameters,
            ["responses"] = new JsonObject
            {
                [action == "post" ? "201" : "200"] = new JsonObject
                {
                    ["description"] = "OK",
                    ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = reference } },
                },
            },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = Gvk(kind),
        };
    }

    private static JsonObject Gvk(Kind kind) => new() { ["group"] = kind.Group, ["kind"] = kind.Name, ["version"] = kind.Version };

    // A JSON schema for a model type, from the names its properties serialise to; classes go to components once.
    private static JsonObject Schema(Type type, JsonObject schemas)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = type == typeof(int) ? "int32" : "int64" };
        }

        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal))
        {
            return new JsonObject { ["type"] = "number" };
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }

        if (type.IsEnum)
        {
            return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(Enum.GetNames(type).Select(n => (JsonNode)n).ToArray()) };
        }

        if (type != typeof(object) && !type.IsClass)
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (DictionaryValue(type) is { } value)
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = Schema(value, schemas) };
        }

        if (ListItem(type) is { } item)
        {
            return new JsonObject { ["type"] = "array", ["items"] = Schema(item, schemas) };
        }

        if (type == typeof(object) || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
        {
            return new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        }

        var name = SchemaName(type);
        if (!schemas.ContainsKey(name))
        {
            var properties = new JsonObject();
            var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
            schemas[name] = schema;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetCustomAttribute<JsonIgnoreAttribute>() is not null || property.GetIndexParameters().Length > 0)
                {
                    continue;
                }

                var json = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicyCamel(property.Name);
                properties[json] = Schema(property.PropertyType, schemas);
            }
        }

        return new JsonObject { ["$ref"] = $"#/components/schemas/{name}" };
    }

    private static Type? DictionaryValue(Type type) =>
        type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[1];

    private static Type? ListItem(Type type) =>
        type.IsArray ? type.GetElementType()
        : typeof(IEnumerable).IsAssignableFrom(type)
            ? type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
            : null;

    private static string SchemaName(Type type) => type.Namespace == typeof(GameServer).Namespace
        ? $"dev.agones.v1.{type.Name}"
        : $"io.k8s.api.{type.Name}";

    private static string JsonNamingPolicyCamel(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
