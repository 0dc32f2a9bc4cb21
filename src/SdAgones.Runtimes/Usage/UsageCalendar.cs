using System.Globalization;

namespace SdAgones.Runtimes.Usage;

/// <summary>The UTC calendar usage is kept in: day buckets named <c>yyyy-MM-dd</c>, weeks starting Monday 00:00 UTC.</summary>
public static class UsageCalendar
{
    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    public static string Name(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly Parse(string name) => DateOnly.ParseExact(name, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>The Monday that starts the ISO week of <paramref name="day"/>.</summary>
    public static DateOnly WeekStart(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    /// <summary>When today's usage starts counting from zero again: the next UTC midnight.</summary>
    public static DateTimeOffset NextDailyReset(DateTimeOffset now) => StartOf(DayOf(now).AddDays(1));

    /// <summary>When this week's usage starts counting from zero again: the next Monday 00:00 UTC.</summary>
    public static DateTimeOffset NextWeeklyReset(DateTimeOffset now) => StartOf(WeekStart(DayOf(now)).AddDays(7));

    /// <summary>Splits the span from <paramref name="start"/> to <paramref name="end"/> into the seconds falling on each UTC day.</summary>
    public static IEnumerable<(DateOnly Day, double Seconds)> Split(DateTimeOffset start, DateTimeOffset end)
    {
        var from = start;
        while (from < end)
        {
            var day = DayOf(from);
            var next = StartOf(day.AddDays(1));
            var to = next < end ? next : end;
            yield return (day, (to - from).TotalSeconds);
            from = to;
        }
    }
}
