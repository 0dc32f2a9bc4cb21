using System.Globalization;
using System.Text.RegularExpressions;

namespace SdAgones.Contracts.Profiles;

/// <summary>
/// The platform's profiles, checked: unique slugs and Fleets, one default open to everyone, sane sizes. Every service
/// that knows profiles builds it the same way (<see cref="Create"/>), so the gateway, the cruiser, LocalAgones and the
/// manifests agree on what a profile is. An empty list is one default profile equal to the single fleet of before.
/// </summary>
public sealed partial class ProfileCatalog
{
    /// <summary>The services' configuration section (<c>Profiles:0:Slug</c>, …).</summary>
    public const string Section = "Profiles";

    /// <summary>The slug of the profile made when none is configured.</summary>
    public const string DefaultSlug = "default";

    private readonly Dictionary<string, RuntimeProfile> bySlug;
    private readonly Dictionary<string, RuntimeProfile> byFleet;

    private ProfileCatalog(IReadOnlyList<RuntimeProfile> all)
    {
        All = all;
        Default = all.FirstOrDefault(p => p.Default) ?? all[0];
        bySlug = all.ToDictionary(p => p.Slug, StringComparer.Ordinal);
        byFleet = all.ToDictionary(p => p.FleetName, StringComparer.Ordinal);
    }

    /// <summary>Every profile, in the order configured (the order of the choice cards).</summary>
    public IReadOnlyList<RuntimeProfile> All { get; }

    /// <summary>The profile of people and API clients who choose none.</summary>
    public RuntimeProfile Default { get; }

    /// <summary>True when people have something to choose (more than one profile).</summary>
    public bool HasChoice => All.Count > 1;

    /// <summary>The profile named <paramref name="slug"/>, or null.</summary>
    public RuntimeProfile? Find(string? slug) => slug is not null && bySlug.TryGetValue(slug, out var p) ? p : null;

    /// <summary>The profile whose Fleet is <paramref name="fleet"/>, or null (a GameServer of no profile's Fleet).</summary>
    public RuntimeProfile? ForFleet(string? fleet) => fleet is not null && byFleet.TryGetValue(fleet, out var p) ? p : null;

    /// <summary>The profiles <paramref name="email"/> may use, in configured order (never empty: the default is open).</summary>
    public IReadOnlyList<RuntimeProfile> UsableBy(string email) => [.. All.Where(p => p.Allows(email))];

    /// <summary>
    /// The catalog of <paramref name="configured"/>, or of one default profile made from <paramref name="single"/> (today's
    /// one Fleet, its slug <see cref="DefaultSlug"/>) when the list is empty.
    /// </summary>
    /// <exception cref="ProfileSettingsException">A profile setting is wrong; the message names the key, value and what is allowed.</exception>
    public static ProfileCatalog Create(IReadOnlyList<RuntimeProfile>? configured, RuntimeProfile single)
    {
        IReadOnlyList<RuntimeProfile> profiles;
        if (configured is null || configured.Count == 0)
        {
            var only = single.Clone();
            if (string.IsNullOrEmpty(only.Slug))
            {
                only.Slug = DefaultSlug;
            }

            if (string.IsNullOrEmpty(only.Fleet))
            {
                only.Fleet = RuntimeFleet.Name;
            }

            only.Default = true;
            profiles = [only];
        }
        else
        {
            profiles = [.. configured.Select(p => p.Clone())];
        }

        foreach (var p in profiles.Where(p => string.IsNullOrEmpty(p.DisplayName)))
        {
            p.DisplayName = p.Slug;
        }

        var problem = Problems(profiles).FirstOrDefault();
        if (problem is not null)
        {
            throw new ProfileSettingsException(problem);
        }

        return new ProfileCatalog(profiles);
    }

    /// <summary>Every problem of <paramref name="profiles"/>, each one line naming <c>Profiles:N:Key</c>, the value and what is allowed.</summary>
    public static IEnumerable<string> Problems(IReadOnlyList<RuntimeProfile> profiles)
    {
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        var fleets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < profiles.Count; i++)
        {
            var p = profiles[i];
            string Key(string name) => string.Create(CultureInfo.InvariantCulture, $"{Section}:{i}:{name}");

            if (!SlugPattern().IsMatch(p.Slug))
            {
                yield return $"{Key(nameof(p.Slug))} is '{p.Slug}': use 1-20 lower-case letters, digits and '-', starting and ending with a letter or digit.";
            }
            else if (!slugs.Add(p.Slug))
            {
                yield return $"{Key(nameof(p.Slug))} is '{p.Slug}', which an earlier profile already uses: each profile needs its own slug.";
            }

            if (!LabelPattern().IsMatch(p.FleetName) || p.FleetName.Length > 63)
            {
                yield return $"{Key(nameof(p.Fleet))} is '{p.FleetName}': a Fleet name is a DNS label (lower-case letters, digits, '-', at most 63).";
            }
            else if (!fleets.Add(p.FleetName))
            {
                yield return $"{Key(nameof(p.Fleet))} is '{p.FleetName}', which an earlier profile already uses: each profile needs its own Fleet.";
            }

            if (!LabelPattern().IsMatch(p.GpuType))
            {
                yield return $"{Key(nameof(p.GpuType))} is '{p.GpuType}': give the GKE accelerator name, e.g. nvidia-tesla-t4 or nvidia-l4.";
            }

            if (p.GpuCount is < 1 or > 16)
            {
                yield return $"{Key(nameof(p.GpuCount))} is {p.GpuCount}: allowed are 1 to 16 GPUs per runtime.";
            }

            if (p.GpuMemoryGiB is < 0 or > 1024)
            {
                yield return $"{Key(nameof(p.GpuMemoryGiB))} is {p.GpuMemoryGiB}: allowed are 0 (the type's known memory) to 1024.";
            }
            else if (p.EffectiveGpuMemoryGiB == 0)
            {
                yield return $"{Key(nameof(p.GpuMemoryGiB))} is not set and the memory of '{p.GpuType}' is not known: set it (GiB per GPU).";
            }

            if (!LabelPattern().IsMatch(p.MachineType))
            {
                yield return $"{Key(nameof(p.MachineType))} is '{p.MachineType}': give a Compute Engine machine type, e.g. n1-standard-8 or g2-standard-8.";
            }

            if (p.Buffer is < 0 or > 1000)
            {
                yield return $"{Key(nameof(p.Buffer))} is {p.Buffer}: allowed are 0 to 1000.";
            }

            if (p.MaxReplicas is < 1 or > 1000)
            {
                yield return $"{Key(nameof(p.MaxReplicas))} is {p.MaxReplicas}: allowed are 1 to 1000.";
            }

            if (p.MinReplicas < 0 || p.MinReplicas > p.MaxReplicas)
            {
                yield return $"{Key(nameof(p.MinReplicas))} is {p.MinReplicas}: allowed are 0 to MaxReplicas ({p.MaxReplicas}).";
            }

            if (p.IdleTimeout is { } idle && (idle <= TimeSpan.Zero || idle > TimeSpan.FromDays(7)))
            {
                yield return $"{Key(nameof(p.IdleTimeout))} is {idle}: allowed are more than 0 and at most 7.00:00:00, or unset for the platform's.";
            }

            var badFlag = p.WebUIFlags.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(t => t.Contains('\'', StringComparison.Ordinal) || t.Contains('"', StringComparison.Ordinal));
            if (badFlag is not null)
            {
                yield return $"{Key(nameof(p.WebUIFlags))} has '{badFlag}': write flags without quotes, separated by spaces (e.g. --medvram --xformers).";
            }

            for (var u = 0; u < p.AllowedUsers.Count; u++)
            {
                var user = p.AllowedUsers[u];
                if (user.Count(c => c == '@') != 1 || user.StartsWith('@') || user.EndsWith('@'))
                {
                    yield return $"{Key($"{nameof(p.AllowedUsers)}:{u}")} is '{user}': give an email address (person@example.com).";
                }
            }

            for (var d = 0; d < p.AllowedDomains.Count; d++)
            {
                var domain = p.AllowedDomains[d];
                if (domain.Contains('@', StringComparison.Ordinal) || !domain.Contains('.', StringComparison.Ordinal))
                {
                    yield return $"{Key($"{nameof(p.AllowedDomains)}:{d}")} is '{domain}': give a domain without '@' (example.com).";
                }
            }
        }

        if (profiles.Count == 0)
        {
            yield break;
        }

        var defaults = profiles.Select((p, i) => (p, i)).Where(x => x.p.Default).ToList();
        if (defaults.Count > 1)
        {
            yield return $"{Section}:{defaults[1].i}:{nameof(RuntimeProfile.Default)} is true, and so is {Section}:{defaults[0].i}:{nameof(RuntimeProfile.Default)}: at most one profile is the default.";
        }

        var chosen = defaults.Count > 0 ? defaults[0] : (profiles[0], 0);
        if (!chosen.Item1.IsOpen)
        {
            yield return $"{Section}:{chosen.Item2} ('{chosen.Item1.Slug}') is the default profile but has AllowedUsers/AllowedDomains: the default must be open to everyone.";
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$")]
    private static partial Regex SlugPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex LabelPattern();
}

/// <summary>A profile setting is wrong; <see cref="Exception.Message"/> is one line naming the key, the value and what is allowed.</summary>
public sealed class ProfileSettingsException(string message) : Exception(message);
