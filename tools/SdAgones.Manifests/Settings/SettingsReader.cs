using System.Text.Json;
using System.Text.RegularExpressions;

namespace SdAgones.Manifests.Settings;

/// <summary>A settings file that cannot be used; the message lists every problem, each naming its key.</summary>
public sealed class SettingsException(string message) : Exception(message);

/// <summary>
/// Reads dotted keys (<c>filestore.ip</c>) from a JSON document, collecting every problem instead of stopping at the
/// first, and remembers which keys it read so that a misspelled one is reported rather than ignored.
/// </summary>
internal sealed class SettingsReader
{
    private readonly JsonElement root;
    private readonly string source;
    private readonly HashSet<string> known = new(StringComparer.Ordinal);
    private readonly List<string> problems = [];

    private SettingsReader(JsonElement root, string source)
    {
        this.root = root;
        this.source = source;
    }

    public static SettingsReader Open(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SettingsException($"{source}: the settings must be a JSON object.");
            }

            return new SettingsReader(document.RootElement.Clone(), source);
        }
        catch (JsonException ex)
        {
            throw new SettingsException($"{source}: not valid JSON: {ex.Message}");
        }
    }

    public string String(string key, Regex pattern, string expected) =>
        Check(key, pattern.IsMatch, expected);

    /// <summary>The string at <paramref name="key"/>, recorded as a problem unless <paramref name="valid"/> accepts it.</summary>
    public string Check(string key, Func<string, bool> valid, string expected)
    {
        if (Find(key) is not { } element)
        {
            return "";
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problems.Add($"'{key}' must be a string ({expected}), got {element.GetRawText()}.");
            return "";
        }

        var value = element.GetString()!;
        if (!valid(value))
        {
            problems.Add($"'{key}' must be {expected}, got '{value}'.");
        }

        return value;
    }

    /// <summary>A non-empty array of strings at <paramref name="key"/>, each accepted by <paramref name="pattern"/>.</summary>
    public IReadOnlyList<string> Strings(string key, Regex pattern, string expected)
    {
        if (Find(key) is not { } element)
        {
            return [];
        }

        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() == 0
            || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String || !pattern.IsMatch(e.GetString()!)))
        {
            problems.Add($"'{key}' must be a non-empty array of {expected}, got {element.GetRawText()}.");
            return [];
        }

        return [.. element.EnumerateArray().Select(e => e.GetString()!)];
    }

    public int Int(string key, int min, int max)
    {
        if (Find(key) is not { } element)
        {
            return 0;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value) || value < min || value > max)
        {
            problems.Add($"'{key}' must be a whole number from {min} to {max}, got {element.GetRawText()}.");
            return 0;
        }

        return value;
    }

    /// <summary>A rule across keys; reported only when the keys themselves were fine.</summary>
    public void Require(bool holds, string key, string message)
    {
        if (!holds && !problems.Any(p => p.StartsWith($"'{key}'", StringComparison.Ordinal)))
        {
            problems.Add($"'{key}' {message}.");
        }
    }

    public void RejectUnknownKeys() => Visit(root, "");

    public void ThrowIfInvalid()
    {
        if (problems.Count > 0)
        {
            throw new SettingsException($"{source} is not usable:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", problems));
        }
    }

    private JsonElement? Find(string key)
    {
        known.Add(key);
        var current = root;
        var path = "";
        foreach (var part in key.Split('.'))
        {
            path = path.Length == 0 ? part : path + "." + part;
            known.Add(path);
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                problems.Add($"'{key}' is missing.");
                return null;
            }
        }

        return current;
    }

    private void Visit(JsonElement element, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            var key = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            if (!known.Contains(key))
            {
                problems.Add($"'{key}' is not a known setting (misspelled?).");
                continue;
            }

            Visit(property.Value, key);
        }
    }
}
