using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SdAgones.Manifests.Settings;

/// <summary>
/// A settings file that cannot be used; the message has one line per problem, each naming the file and line, the key,
/// the value, what is allowed and an example: <c>deploy/settings.json:4: project.region = "Europe" is not allowed; use a GCP region, e.g. us-central1</c>.
/// </summary>
public sealed class SettingsException(string message) : Exception(message);

/// <summary>
/// Reads dotted keys (<c>filestore.ip</c>) from a JSON document, collecting every problem instead of stopping at the
/// first, and remembers which keys it read so that a misspelled one is reported rather than ignored.
/// </summary>
internal sealed class SettingsReader
{
    private readonly JsonElement root;
    private readonly string source;
    private readonly IReadOnlyDictionary<string, int> lines;
    private readonly HashSet<string> known = new(StringComparer.Ordinal);
    private readonly List<string> problems = [];
    private readonly HashSet<string> badKeys = new(StringComparer.Ordinal);

    private SettingsReader(JsonElement root, string source, IReadOnlyDictionary<string, int> lines)
    {
        this.root = root;
        this.source = source;
        this.lines = lines;
    }

    public static SettingsReader Open(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json, Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SettingsException($"{source}: the settings must be a JSON object, e.g. {{ \"project\": {{ \"id\": \"my-project\" }} }}");
            }

            return new SettingsReader(document.RootElement.Clone(), source, LineNumbers(json));
        }
        catch (JsonException ex)
        {
            throw new SettingsException($"{source}:{(ex.LineNumber ?? 0) + 1}: not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}); check the commas, quotes and braces near that line");
        }
    }

    /// <summary>The string at <paramref name="key"/>, recorded as a problem unless <paramref name="pattern"/> matches it.</summary>
    public string String(string key, Regex pattern, string allowed) =>
        Check(key, pattern.IsMatch, allowed);

    /// <summary>
    /// The string at <paramref name="key"/>, recorded as a problem unless <paramref name="valid"/> accepts it;
    /// <paramref name="allowed"/> says what would do and gives an example ("a GCP region, e.g. us-central1").
    /// </summary>
    public string Check(string key, Func<string, bool> valid, string allowed)
    {
        if (Find(key, allowed) is not { } element)
        {
            return "";
        }

        if (element.ValueKind != JsonValueKind.String || !valid(element.GetString()!))
        {
            Problem(key, $"{key} = {Shown(element)} is not allowed; use {(element.ValueKind == JsonValueKind.String ? "" : "a string: ")}{allowed}");
            return "";
        }

        return element.GetString()!;
    }

    /// <summary>A non-empty array of strings at <paramref name="key"/>, each accepted by <paramref name="pattern"/>.</summary>
    public IReadOnlyList<string> Strings(string key, Regex pattern, string allowed)
    {
        if (Find(key, "a list of " + allowed) is not { } element)
        {
            return [];
        }

        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() == 0
            || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String || !pattern.IsMatch(e.GetString()!)))
        {
            Problem(key, $"{key} = {Shown(element)} is not allowed; use a non-empty list of {allowed}");
            return [];
        }

        return [.. element.EnumerateArray().Select(e => e.GetString()!)];
    }

    /// <summary>The JSON boolean at <paramref name="key"/>; <paramref name="allowed"/> says what each value means.</summary>
    public bool Bool(string key, string allowed)
    {
        if (Find(key, allowed) is not { } element)
        {
            return false;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Problem(key, $"{key} = {Shown(element)} is not allowed; use {allowed}");
            return false;
        }

        return element.GetBoolean();
    }

    public int Int(string key, int min, int max, int example)
    {
        var allowed = $"a whole number from {min} to {max}, e.g. {example}";
        if (Find(key, allowed) is not { } element)
        {
            return 0;
        }

        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out var value) || value < min || value > max)
        {
            Problem(key, $"{key} = {Shown(element)} is not allowed; use {allowed}");
            return 0;
        }

        return value;
    }

    /// <summary>A rule across keys, reported (<c>key = value problem</c>) only when the keys themselves were fine.</summary>
    public void Require(bool holds, string key, object value, string problem)
    {
        if (!holds && !badKeys.Contains(key))
        {
            Problem(key, $"{key} = {(value is string text ? Quoted(text) : value)} {problem}");
        }
    }

    /// <summary>The element at a top-level <paramref name="key"/> when the file has it (an optional section), or null; known either way.</summary>
    public JsonElement? Optional(string key)
    {
        known.Add(key);
        return root.TryGetProperty(key, out var element) ? element : null;
    }

    /// <summary>Records a problem found by a rule of its own (one line, already naming the key and what is allowed).</summary>
    public void Invalid(string key, string text) => Problem(key, text);

    public void RejectUnknownKeys() => Visit(root, "");

    public void ThrowIfInvalid()
    {
        if (problems.Count > 0)
        {
            throw new SettingsException(string.Join(Environment.NewLine, problems));
        }
    }

    private static JsonDocumentOptions Options => new() { CommentHandling = JsonCommentHandling.Skip };

    private void Problem(string key, string text)
    {
        badKeys.Add(key);
        problems.Add($"{Where(key)}: {text}");
    }

    /// <summary>The file and, when the key (or the nearest section above it) is in the file, its line.</summary>
    private string Where(string key)
    {
        for (var path = key; path.Length > 0; path = path.Contains('.') ? path[..path.LastIndexOf('.')] : "")
        {
            if (lines.TryGetValue(path, out var line))
            {
                return $"{source}:{line}";
            }
        }

        return source;
    }

    private static string Shown(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? Quoted(element.GetString()!) : element.GetRawText();

    /// <summary>A value in quotes as it would be typed into the file (no \u escapes for '&lt;' or '&amp;').</summary>
    private static string Quoted(string value) => JsonSerializer.Serialize(value, Readable);

    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private JsonElement? Find(string key, string allowed)
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
                Problem(key, $"{key} is missing; add it with {allowed}");
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
                var closest = Closest(key);
                Problem(key, $"{key} is not a known setting; {(closest is null ? "remove it" : $"did you mean {closest}?")}");
                continue;
            }

            Visit(property.Value, key);
        }
    }

    /// <summary>The known key a misspelling most likely meant (at most two edits away), or null.</summary>
    private string? Closest(string key) =>
        known.Select(k => (Key: k, Distance: Distance(k, key))).Where(c => c.Distance <= 2).OrderBy(c => c.Distance).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => c.Key).FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>The line of every object key in the file (dotted path → 1-based line), so a problem points at it.</summary>
    private static Dictionary<string, int> LineNumbers(string json)
    {
        var found = new Dictionary<string, int>(StringComparer.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var containers = new Stack<string?>(); // the dotted path of each open object; null inside arrays
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when containers.TryPeek(out var parent) && parent is not null:
                    property = parent.Length == 0 ? reader.GetString()! : parent + "." + reader.GetString();
                    found.TryAdd(property, 1 + bytes.AsSpan(0, (int)reader.TokenStartIndex).Count((byte)'\n'));
                    break;
                case JsonTokenType.StartObject:
                    containers.Push(containers.Count == 0 ? "" : property);
                    property = null;
                    break;
                case JsonTokenType.StartArray:
                    containers.Push(null);
                    property = null;
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    containers.Pop();
                    break;
                default:
                    property = null;
                    break;
            }
        }

        return found;
    }
}
