using System.Globalization;
using Microsoft.Extensions.Options;

namespace SdAgones.Runtimes.Usage;

/// <summary>
/// GPU time rules (section <c>Usage</c>): what a runtime counts, the daily and weekly quotas with their overrides, and
/// the fair-share order of the waiting line (docs/fair-share.md). No quota set means no limit.
/// </summary>
public sealed class UsageOptions
{
    public const string Section = "Usage";

    /// <summary>GPUs of one runtime; a profile may say otherwise (<c>Usage:Profiles:&lt;name&gt;:GpuCount</c>).</summary>
    public int GpuCount { get; set; } = 1;

    /// <summary>GPU time a person may use per UTC day; empty for no limit.</summary>
    public TimeSpan? DailyQuota { get; set; }

    /// <summary>GPU time a person may use per ISO week (Monday 00:00 UTC); empty for no limit.</summary>
    public TimeSpan? WeeklyQuota { get; set; }

    /// <summary>How long before reaching the quota pages, the waiting room and the session API warn the person.</summary>
    public TimeSpan QuotaNotice { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>When people wait, the next runtime goes to the one with the least decayed usage (false: first come, first served).</summary>
    public bool FairShare { get; set; }

    /// <summary>Past usage counts half after this long (Slurm's <c>PriorityDecayHalfLife</c>, default 7 days).</summary>
    public TimeSpan HalfLife { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Nobody waits behind people who arrived more than this much later than they did.</summary>
    public TimeSpan MaxWaitBehindLater { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The decayed usage at which a person's handicap is half of <see cref="MaxWaitBehindLater"/>.</summary>
    public TimeSpan UsageScale { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Overrides per identity (the email, lower case): quotas and fair-share weight.</summary>
    public Dictionary<string, UsageOverride> Identities { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Overrides per email domain (<c>example.com</c>): quotas and fair-share weight.</summary>
    public Dictionary<string, UsageOverride> Domains { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Overrides per profile: quotas, and a GPU count that wins over the profile's own <c>GpuCount</c>. Keyed by the
    /// profile's slug, or by its Fleet's name (how profiles were named before there were several).
    /// </summary>
    public Dictionary<string, UsageOverride> Profiles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The override of the profile <paramref name="profile"/>, else of its Fleet <paramref name="fleet"/>, else null.</summary>
    public UsageOverride? ProfileOverride(string profile, string? fleet = null) =>
        Profiles.GetValueOrDefault(profile) ?? (fleet is null ? null : Profiles.GetValueOrDefault(fleet));

    /// <summary>The limits for a person in a profile: identity, then email domain, then profile, then the defaults.</summary>
    public (TimeSpan? Daily, TimeSpan? Weekly) LimitsFor(string user, string profile, string? fleet = null)
    {
        UsageOverride?[] layers = [Identities.GetValueOrDefault(user), Domains.GetValueOrDefault(DomainOf(user)), ProfileOverride(profile, fleet)];
        var daily = layers.FirstOrDefault(l => l?.DailyQuota is not null)?.DailyQuota ?? DailyQuota;
        var weekly = layers.FirstOrDefault(l => l?.WeeklyQuota is not null)?.WeeklyQuota ?? WeeklyQuota;
        return (daily, weekly);
    }

    /// <summary>The person's fair-share weight: identity, then email domain, else 1 (a weight of 2 counts usage half).</summary>
    public double WeightFor(string user) =>
        Identities.GetValueOrDefault(user)?.Weight ?? Domains.GetValueOrDefault(DomainOf(user))?.Weight ?? 1.0;

    public static string DomainOf(string user) => user.LastIndexOf('@') is var at and >= 0 ? user[(at + 1)..] : "";

    /// <summary>One line per bad key, in the shape every SdAgones service stops with.</summary>
    public IEnumerable<string> Problems()
    {
        if (GpuCount < 1)
        {
            yield return Line("GpuCount", GpuCount, "use a whole number of 1 or more, e.g. 1");
        }

        foreach (var (key, value) in new (string, TimeSpan?)[] { ("DailyQuota", DailyQuota), ("WeeklyQuota", WeeklyQuota) })
        {
            if (value is { } quota && quota <= TimeSpan.Zero)
            {
                yield return Line(key, quota, "use a positive time span, e.g. 02:00:00, or leave it empty for no limit");
            }
        }

        if (QuotaNotice < TimeSpan.Zero)
        {
            yield return Line("QuotaNotice", QuotaNotice, "use zero or a positive time span, e.g. 00:10:00");
        }

        foreach (var (key, value, example) in new (string, TimeSpan, string)[]
                 { ("HalfLife", HalfLife, "7.00:00:00"), ("MaxWaitBehindLater", MaxWaitBehindLater, "00:30:00"), ("UsageScale", UsageScale, "01:00:00") })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return Line(key, value, $"use a positive time span, e.g. {example}");
            }
        }

        foreach (var (group, map) in new[] { ("Identities", Identities), ("Domains", Domains), ("Profiles", Profiles) })
        {
            foreach (var (name, layer) in map)
            {
                var prefix = $"{group}:{name}:";
                if (layer.DailyQuota is { } d && d <= TimeSpan.Zero)
                {
                    yield return Line(prefix + "DailyQuota", d, "use a positive time span, e.g. 02:00:00");
                }

                if (layer.WeeklyQuota is { } w && w <= TimeSpan.Zero)
                {
                    yield return Line(prefix + "WeeklyQuota", w, "use a positive time span, e.g. 10:00:00");
                }

                if (layer.Weight is { } weight && !(weight > 0 && double.IsFinite(weight)))
                {
                    yield return Line(prefix + "Weight", weight, "use a positive number, e.g. 2 (usage counts half)");
                }

                if (layer.GpuCount is { } gpus && gpus < 1)
                {
                    yield return Line(prefix + "GpuCount", gpus, "use a whole number of 1 or more, e.g. 2");
                }
            }
        }
    }

    private static string Line(string key, object value, string allowed) =>
        $"{Section}:{key} = \"{(value is TimeSpan span ? span.ToString("c", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture))}\" is not allowed; {allowed}";
}

/// <summary>What an identity, an email domain or a profile changes from the <see cref="UsageOptions"/> defaults.</summary>
public sealed class UsageOverride
{
    public TimeSpan? DailyQuota { get; set; }

    public TimeSpan? WeeklyQuota { get; set; }

    /// <summary>Fair-share weight: usage is divided by it (identities and domains only).</summary>
    public double? Weight { get; set; }

    /// <summary>GPUs per runtime (profiles only).</summary>
    public int? GpuCount { get; set; }
}

/// <summary>Checks <see cref="UsageOptions"/> at start-up; every bad key becomes one line of the exit message.</summary>
internal sealed class UsageOptionsCheck : IValidateOptions<UsageOptions>
{
    public ValidateOptionsResult Validate(string? name, UsageOptions options) =>
        options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
