namespace SdAgones.LocalAgones.Api;

/// <summary>
/// The equality-based part of Kubernetes label selectors: <c>k=v</c>, <c>k==v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>,
/// joined by commas (all must hold).
/// </summary>
public sealed class LabelSelector
{
    private readonly List<Func<IDictionary<string, string>?, bool>> terms = [];

    public LabelSelector(IDictionary<string, string>? matchLabels)
    {
        foreach (var (key, value) in matchLabels ?? new Dictionary<string, string>())
        {
            terms.Add(labels => labels is not null && labels.TryGetValue(key, out var v) && v == value);
        }
    }

    public static LabelSelector Everything { get; } = new(matchLabels: null);

    /// <exception cref="FormatException">The selector is not one this server understands.</exception>
    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector(matchLabels: null);
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            if (term.Length == 0 || term.Contains(" in ", StringComparison.Ordinal) || term.Contains('(', StringComparison.Ordinal))
            {
                throw new FormatException($"unable to parse requirement: '{term}' (only =, ==, != and existence are supported)");
            }

            if (term.Split("!=", 2) is [var nk, var nv])
            {
                var (k, v) = (nk.Trim(), nv.Trim());
                selector.terms.Add(labels => labels is null || !labels.TryGetValue(k, out var actual) || actual != v);
            }
            else if (term.Split('=', 2) is [var ek, var ev])
            {
                var (k, v) = (ek.Trim(), ev.TrimStart('=').Trim());
                selector.terms.Add(labels => labels is not null && labels.TryGetValue(k, out var actual) && actual == v);
            }
            else if (term.StartsWith('!'))
            {
                var k = term[1..].Trim();
                selector.terms.Add(labels => labels is null || !labels.ContainsKey(k));
            }
            else
            {
                selector.terms.Add(labels => labels is not null && labels.ContainsKey(term));
            }
        }

        return selector;
    }

    public bool Matches(IDictionary<string, string>? labels) => terms.TrueForAll(t => t(labels));
}
