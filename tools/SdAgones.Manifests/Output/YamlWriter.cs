using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SdAgones.Manifests.Output;

/// <summary>
/// Writes a JSON tree as block YAML the same way every time: mapping keys in ordinal order, sequences in their given
/// order (kubectl's layout, dashes level with their key), and a string quoted whenever a YAML reader could take it for
/// anything but that string (numbers, booleans, nulls, times, leading indicators).
/// </summary>
public static partial class YamlWriter
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf", "+.inf", ".nan",
    };

    /// <summary>One YAML document (no leading <c>---</c>), ending in a newline.</summary>
    public static string Write(JsonNode node)
    {
        var text = new StringBuilder();
        WriteBlock(text, node, indent: 0);
        return text.ToString();
    }

    private static void WriteBlock(StringBuilder text, JsonNode? node, int indent)
    {
        switch (node)
        {
            case JsonObject map when map.Count > 0:
                foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(' ', indent).Append(Scalar(key)).Append(':');
                    WriteValueAfterKey(text, value, indent);
                }

                break;
            case JsonArray list when list.Count > 0:
                foreach (var item in list)
                {
                    text.Append(' ', indent).Append('-');
                    if (IsInline(item))
                    {
                        text.Append(' ').Append(Inline(item)).Append('\n');
                        continue;
                    }

                    // The item's block at indent + 2, with its first line's indentation replaced by the dash.
                    var nested = new StringBuilder();
                    WriteBlock(nested, item, indent + 2);
                    text.Append(' ').Append(nested.ToString(indent + 2, nested.Length - indent - 2));
                }

                break;
            default:
                text.Append(' ', indent).Append(Inline(node)).Append('\n');
                break;
        }
    }

    private static void WriteValueAfterKey(StringBuilder text, JsonNode? value, int indent)
    {
        // A multi-line text (an embedded config file) as a literal block, so it reads as the file it is.
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String && IsLiteralBlock(v.GetValue<string>()))
        {
            text.Append(" |\n");
            foreach (var line in v.GetValue<string>().TrimEnd('\n').Split('\n'))
            {
                if (line.Length > 0)
                {
                    text.Append(' ', indent + 2).Append(line);
                }

                text.Append('\n');
            }

            return;
        }

        if (IsInline(value))
        {
            text.Append(' ').Append(Inline(value)).Append('\n');
            return;
        }

        text.Append('\n');
        WriteBlock(text, value, value is JsonArray ? indent : indent + 2);
    }

    private static bool IsInline(JsonNode? node) => node switch
    {
        JsonObject map => map.Count == 0,
        JsonArray list => list.Count == 0,
        _ => true,
    };

    private static string Inline(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => Scalar(value.GetValue<string>()),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => value.ToJsonString(),
            var kind => throw new InvalidOperationException($"Cannot write a JSON {kind} as YAML."),
        },
        _ => throw new InvalidOperationException($"Cannot write {node.GetType().Name} as YAML."),
    };

    /// <summary>
    /// Whether a literal block (<c>|</c>, clip chomping) reads back as exactly this string: lines ending in one newline,
    /// no tabs, carriage returns or other control characters, no trailing spaces, and a first line not indented.
    /// </summary>
    private static bool IsLiteralBlock(string value) =>
        value.Contains('\n', StringComparison.Ordinal) && value.EndsWith('\n') && !value.EndsWith("\n\n", StringComparison.Ordinal)
        && !value.StartsWith(' ') && !value.Any(c => char.IsControl(c) && c != '\n')
        && value.Split('\n').All(line => !line.EndsWith(' '));

    /// <summary>The string as a plain scalar when that reads back as the same string, otherwise quoted.</summary>
    public static string Scalar(string value)
    {
        if (value.Length > 0 && PlainSafe().IsMatch(value) && !value.EndsWith(':') && !Reserved.Contains(value) && !LooksNumeric().IsMatch(value))
        {
            return value;
        }

        if (!value.Any(c => c == '\'' || char.IsControl(c)))
        {
            return "'" + value + "'";
        }

        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return quoted.Append('"').ToString();
    }

    // Letters, digits and a few punctuation marks; no spaces, and no character that starts or means something in YAML.
    [GeneratedRegex("^[A-Za-z0-9_/.][A-Za-z0-9_./@%+=,;:()-]*$")]
    private static partial Regex PlainSafe();

    // What YAML 1.1 or 1.2 readers take for a number, a sexagesimal (00:15:00) or a date: these stay quoted.
    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9][0-9_,:]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?)|0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*)$")]
    private static partial Regex LooksNumeric();
}
