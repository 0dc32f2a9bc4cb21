using System.Globalization;

namespace SdAgones.Runtimes.Forecast;

/// <summary>An operator's window as set (<c>Forecast:Windows:N</c>): "at least 5 Ready on Mon-Fri 08:30–10:00 Europe/Berlin".</summary>
public sealed class FloorWindowOptions
{
    /// <summary>The Fleet it holds for; empty for every Fleet.</summary>
    public string Fleet { get; set; } = "";

    /// <summary>Days as <c>Mon-Fri</c>, <c>Sat,Sun</c> or <c>Mon-Fri,Sun</c>; empty or <c>*</c> for every day.</summary>
    public string Days { get; set; } = "";

    /// <summary>Local start, <c>HH:mm</c>.</summary>
    public string From { get; set; } = "";

    /// <summary>Local end, <c>HH:mm</c> after <see cref="From"/> (<c>24:00</c> for midnight).</summary>
    public string To { get; set; } = "";

    /// <summary>The IANA time zone of <see cref="From"/> and <see cref="To"/>.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Ready runtimes (beyond the allocated ones) the Fleet keeps during the window.</summary>
    public int Floor { get; set; }

    internal IEnumerable<string> Problems(string prefix)
    {
        if (FloorWindow.ParseDays(Days) is null)
        {
            yield return ForecastOptions.Line(prefix + ":Days", Days, "use day names such as Mon-Fri, Sat,Sun or Mon-Fri,Sun (empty or * for every day)");
        }

        var from = FloorWindow.ParseTime(From);
        var to = FloorWindow.ParseTime(To);
        if (from is null)
        {
            yield return ForecastOptions.Line(prefix + ":From", From, "use a local time HH:mm, e.g. 08:30");
        }

        if (to is null)
        {
            yield return ForecastOptions.Line(prefix + ":To", To, "use a local time HH:mm after From, e.g. 10:00 (24:00 for midnight)");
        }
        else if (from is { } f && to <= f)
        {
            yield return ForecastOptions.Line(prefix + ":To", To, $"use a time after From ({From}); a window over midnight is two windows");
        }

        if (FloorWindow.FindZone(TimeZone) is null)
        {
            yield return ForecastOptions.Line(prefix + ":TimeZone", TimeZone, "use an IANA time zone id, e.g. Europe/Berlin or UTC");
        }

        if (Floor < 0)
        {
            yield return ForecastOptions.Line(prefix + ":Floor", Floor, "use zero or a whole number above it, e.g. 5");
        }
    }
}

/// <summary>
/// A checked floor window. It holds while any part of it falls within the next warm-up time, so the floor is Ready
/// when the window opens, not a warm-up later.
/// </summary>
public sealed class FloorWindow
{
    private static readonly string[] DayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private readonly bool[] days;
    private readonly TimeSpan from;
    private readonly TimeSpan to;
    private readonly TimeZoneInfo zone;

    public FloorWindow(FloorWindowOptions options)
    {
        Fleet = options.Fleet;
        Floor = options.Floor;
        days = ParseDays(options.Days) ?? throw new ArgumentException($"Bad days '{options.Days}'", nameof(options));
        from = ParseTime(options.From) ?? throw new ArgumentException($"Bad time '{options.From}'", nameof(options));
        to = ParseTime(options.To) ?? throw new ArgumentException($"Bad time '{options.To}'", nameof(options));
        zone = FindZone(options.TimeZone) ?? throw new ArgumentException($"Unknown time zone '{options.TimeZone}'", nameof(options));
    }

    public string Fleet { get; }

    public int Floor { get; }

    public bool AppliesTo(string fleet) => Fleet.Length == 0 || string.Equals(Fleet, fleet, StringComparison.Ordinal);

    /// <summary>True when the window is open at some moment from <paramref name="now"/> to <paramref name="now"/> + <paramref name="ahead"/>.</summary>
    public bool HoldsWithin(DateTimeOffset now, TimeSpan ahead)
    {
        var end = now + ahead;
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime).AddDays(-1);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(end, zone).DateTime);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (!days[(int)day.DayOfWeek])
            {
                continue;
            }

            var midnight = day.ToDateTime(TimeOnly.MinValue);
            var open = LocalClock.ToUtc(midnight + from, zone);
            var close = LocalClock.ToUtc(midnight + to, zone);
            if (open <= end && close > now)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The time zone of an IANA id, or null when this machine does not know it.</summary>
    public static TimeZoneInfo? FindZone(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>Which weekdays (indexed by <see cref="DayOfWeek"/>) a day list names, or null when it is not one.</summary>
    public static bool[]? ParseDays(string text)
    {
        var result = new bool[7];
        if (string.IsNullOrWhiteSpace(text) || text.Trim() == "*")
        {
            Array.Fill(result, true);
            return result;
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2 || Index(range[0]) is not { } start || Index(range[^1]) is not { } end)
            {
                return null;
            }

            for (var d = start; ; d = (d + 1) % 7)
            {
                result[d] = true;
                if (d == end)
                {
                    break;
                }
            }
        }

        return result;

        static int? Index(string name) => Array.FindIndex(DayNames, d => d.Equals(name, StringComparison.OrdinalIgnoreCase)) is var i and >= 0 ? i : null;
    }

    /// <summary>A local time of day <c>HH:mm</c> (<c>24:00</c> allowed as the day's end), or null.</summary>
    public static TimeSpan? ParseTime(string text)
    {
        if (text == "24:00")
        {
            return TimeSpan.FromDays(1);
        }

        return TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time.ToTimeSpan() : null;
    }
}

/// <summary>Wall-clock times of an IANA zone to instants, across daylight-saving changes.</summary>
public static class LocalClock
{
    /// <summary>
    /// The instant of a local time: in the spring gap (a time that does not exist) the time an hour later; in the autumn
    /// overlap the standard-time instant, as <see cref="TimeZoneInfo"/> takes it.
    /// </summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddHours(1);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(unspecified, zone), TimeSpan.Zero);
    }

    /// <summary>The local wall-clock time of an instant.</summary>
    public static DateTime ToLocal(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).DateTime;
}
