using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace SdAgones.Runtimes.Usage;

/// <summary>
/// Where a person stands against their quotas: used today and this week (open session up to now), the limits that apply
/// (identity, domain, profile, default), an admin's one-off extension, what is left and when it resets.
/// </summary>
public sealed class QuotaPolicy(
    UsageLedger ledger, IConnectionMultiplexer redis, IOptions<UsageOptions> options, TimeProvider time, string defaultProfile,
    SdAgones.Contracts.Profiles.ProfileCatalog? profiles = null)
{
    public static string ExtensionKey(string user) => "sd:usage:extension:" + user;

    /// <summary>True when any quota is set at all, so callers can skip the reads when none is.</summary>
    public bool AnyQuota
    {
        get
        {
            var o = options.Value;
            return o.DailyQuota is not null || o.WeeklyQuota is not null
                || o.Identities.Values.Concat(o.Domains.Values).Concat(o.Profiles.Values).Any(l => l.DailyQuota is not null || l.WeeklyQuota is not null);
        }
    }

    /// <summary>The person's standing in <paramref name="profile"/> (the default profile when null), counting their open session up to now.</summary>
    public async Task<QuotaStatus> StatusAsync(string user, string? profile = null)
    {
        var rows = await ledger.PersonAsync(user);
        var extension = await redis.GetDatabase().StringGetAsync(ExtensionKey(user));
        return Status(user, profile ?? defaultProfile, rows, extension.IsNull ? TimeSpan.Zero : TimeSpan.FromSeconds((double)extension), time.GetUtcNow());
    }

    /// <summary>The standing computed from usage rows: pure, so pages and tests can use it on any figures.</summary>
    public QuotaStatus Status(string user, string profile, IReadOnlyList<UsageRow> rows, TimeSpan extension, DateTimeOffset now)
    {
        var today = UsageCalendar.DayOf(now);
        var weekStart = UsageCalendar.WeekStart(today);
        var mine = rows.Where(r => r.Profile == profile).ToList();
        var usedToday = TimeSpan.FromSeconds(mine.Where(r => r.Day == today).Sum(r => r.GpuSeconds));
        var usedWeek = TimeSpan.FromSeconds(mine.Where(r => r.Day >= weekStart && r.Day <= today).Sum(r => r.GpuSeconds));
        var (daily, weekly) = options.Value.LimitsFor(user, profile, profiles?.Find(profile)?.FleetName);
        return new QuotaStatus(usedToday, usedWeek, daily, weekly, extension, now, options.Value.QuotaNotice);
    }

    /// <summary>
    /// A one-off extension: <paramref name="extra"/> more GPU time on top of both limits, until the reset of the limit
    /// that holds the person now (the later one when both do; the next midnight when none does yet).
    /// </summary>
    public async Task<QuotaStatus> ExtendAsync(string user, TimeSpan extra)
    {
        var before = await StatusAsync(user);
        var until = before.Exceeded ? before.ResetAt!.Value : UsageCalendar.NextDailyReset(before.Now);
        var db = redis.GetDatabase();
        await db.StringIncrementAsync(ExtensionKey(user), extra.TotalSeconds);
        await db.KeyExpireAsync(ExtensionKey(user), until.UtcDateTime);
        return await StatusAsync(user);
    }

    /// <summary>A span as people read it: "1 h 05 min", "12 min", "40 s".</summary>
    public static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes:00} min"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min"
        : $"{Math.Max(0, (int)span.TotalSeconds)} s";
}

/// <summary>A person's GPU time against their limits at <see cref="Now"/>; null limits mean no limit.</summary>
public sealed record QuotaStatus(
    TimeSpan UsedToday, TimeSpan UsedThisWeek, TimeSpan? DailyLimit, TimeSpan? WeeklyLimit, TimeSpan Extension, DateTimeOffset Now, TimeSpan NoticeBefore)
{
    public TimeSpan? LeftToday => DailyLimit is { } d ? d + Extension - UsedToday : null;

    public TimeSpan? LeftThisWeek => WeeklyLimit is { } w ? w + Extension - UsedThisWeek : null;

    /// <summary>What is left under the tighter limit; null when no limit applies.</summary>
    public TimeSpan? Left => (LeftToday, LeftThisWeek) switch
    {
        ({ } d, { } w) => d < w ? d : w,
        ({ } d, null) => d,
        (null, { } w) => w,
        _ => null,
    };

    public bool Exceeded => Left is { } left && left <= TimeSpan.Zero;

    /// <summary>The person should be told their GPU time is about to end.</summary>
    public bool NoticeDue => Left is { } left && left > TimeSpan.Zero && left <= NoticeBefore;

    /// <summary>Which limit holds: "daily", "weekly" or null.</summary>
    public string? Limit => (LeftToday, LeftThisWeek) switch
    {
        ({ } d, { } w) => w <= TimeSpan.Zero || w < d ? "weekly" : "daily",
        ({ }, null) => "daily",
        (null, { }) => "weekly",
        _ => null,
    };

    /// <summary>When the person may use a runtime again (exceeded) or when the binding limit starts over.</summary>
    public DateTimeOffset? ResetAt => Limit switch
    {
        "weekly" => UsageCalendar.NextWeeklyReset(Now),
        "daily" when LeftThisWeek is { } w && w <= TimeSpan.Zero => UsageCalendar.NextWeeklyReset(Now),
        "daily" => UsageCalendar.NextDailyReset(Now),
        _ => null,
    };

    public TimeSpan? LimitValue => Limit == "weekly" ? WeeklyLimit : DailyLimit;

    public TimeSpan Used => Limit == "weekly" ? UsedThisWeek : UsedToday;
}
