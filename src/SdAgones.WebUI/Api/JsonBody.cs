using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SdAgones.WebUI.Api;

/// <summary>Reads a body that must be one JSON object, telling a syntax mistake apart from a wrong shape.</summary>
internal static class JsonBody
{
    public static async Task<(JsonObject? Body, string? Problem)> ReadObjectAsync(Stream body, string example, CancellationToken cancellationToken)
    {
        JsonNode? node;
        try
        {
            node = await JsonSerializer.DeserializeAsync<JsonNode>(body, WebUiJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return (null, $"The body is not valid JSON; send a JSON object such as {example}.");
        }

        return node is JsonObject obj
            ? (obj, null)
            : (null, $"The body must be a JSON object such as {example}; got {Describe(node)}.");
    }

    public static bool TryConvert<T>(JsonObject body, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out string? problem)
    {
        try
        {
            value = body.Deserialize<T>(WebUiJson.Options);
            problem = value is null ? "The body must be a JSON object." : null;
            return value is not null;
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "a field" : $"'{e.Path.TrimStart('$', '.')}'";
            value = default;
            problem = $"{field} has a value of the wrong type: prompts are text, and seed, steps, width, height and batch_size are whole numbers.";
            return false;
        }
    }

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "an array",
        _ => $"a {node.GetValueKind().ToString().ToLowerInvariant()}",
    };
}
