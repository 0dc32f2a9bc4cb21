using System.Security.Cryptography;
using System.Text;

namespace SdAgones.Contracts;

/// <summary>
/// Turns a person's identity (an email) into a Kubernetes label value and a folder name: at most 63 characters
/// of <c>[a-z0-9._-]</c>, starting and ending with a letter or digit. The readable part is followed by a hash of
/// the whole identity, so two people never share a value (the seed mapped both "a.b@c" and "a@b.c" to "a.b.c").
/// </summary>
public static class PersonLabel
{
    private const int MaxLength = 63;
    private const int HashChars = 12;

    public static string For(string identity)
    {
        ArgumentException.ThrowIfNullOrEmpty(identity);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..HashChars];

        var readable = new StringBuilder(identity.Length);
        foreach (var c in identity.ToLowerInvariant())
        {
            readable.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : c is '.' or '-' or '_' ? c : '-');
        }

        var prefix = readable.ToString().Trim('.', '-', '_');
        var room = MaxLength - HashChars - 1;
        if (prefix.Length > room)
        {
            prefix = prefix[..room].TrimEnd('.', '-', '_');
        }

        return prefix.Length == 0 ? "u-" + hash : $"{prefix}-{hash}";
    }

    /// <summary>True when the value is one this class could have produced (used before trusting a label as a path).</summary>
    public static bool IsWellFormed(string value) =>
        value.Length is > 0 and <= MaxLength
        && char.IsAsciiLetterOrDigit(value[0])
        && char.IsAsciiLetterOrDigit(value[^1])
        && value.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '.' or '-' or '_')
        && !value.Contains("..", StringComparison.Ordinal);
}
