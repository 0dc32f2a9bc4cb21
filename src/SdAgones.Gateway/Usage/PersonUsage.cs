using SdAgones.Runtimes.Usage;

namespace SdAgones.Gateway.Usage;

/// <summary>One person's usage as the page and <c>GET /_sd/api/usage</c> show it: today, this week, what is left, 14 days.</summary>
internal sealed record PersonUsage(
    string User, double TodaySeconds, double WeekSeconds, double? DailyLimitSeconds, double? WeeklyLimitSeconds, double? LeftSeconds,
    DateTimeOffset? ResetAt, bool Exceeded, string? Notice, IReadOnlyList<UsageDayFigure> Days)
{
    public const int ChartDays = 14;

    public static PersonUsage From(string user, QuotaStatus status, IReadOnlyList<UsageRow> rows)
    {
        var today = UsageCalendar.DayOf(status.Now);
        var days = Enumerable.Range(0, ChartDays).Select(i => today.AddDays(i - ChartDays + 1))
            .Select(day => new UsageDayFigure(UsageCalendar.Name(day), rows.Where(r => r.Day == day).Sum(r => r.GpuSeconds))).ToList();
        return new PersonUsage(user, status.UsedToday.TotalSeconds, status.UsedThisWeek.TotalSeconds,
            status.DailyLimit is { } daily ? (daily + status.Extension).TotalSeconds : null,
            status.WeeklyLimit is { } weekly ? (weekly + status.Extension).TotalSeconds : null,
            status.Left is { } left ? Math.Max(0, left.TotalSeconds) : null, status.ResetAt, status.Exceeded, NoticeFor(status), days);
    }

    /// <summary>The warning every page, the waiting room and the session API carry near and at the quota.</summary>
    public static string? NoticeFor(QuotaStatus status) =>
        status.Exceeded
            ? $"Your {status.Limit} GPU time quota ({QuotaPolicy.Describe(status.LimitValue!.Value + status.Extension)}) is used up; it resets at {status.ResetAt:yyyy-MM-dd HH:mm} UTC."
            : status.NoticeDue
                ? $"Your GPU time ends in {QuotaPolicy.Describe(status.Left!.Value)} ({status.Limit} quota); your runtime will then be given back."
                : null;
}

/// <summary>GPU-seconds on one UTC day.</summary>
internal sealed record UsageDayFigure(string Day, double GpuSeconds);
