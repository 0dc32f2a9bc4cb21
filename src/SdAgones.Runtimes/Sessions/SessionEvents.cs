using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// One session transition, shape version <see cref="Version"/> (documented in docs/architecture.md): usage, forecasts
/// and what-if plans are computed from exactly these records. <see cref="Seq"/> orders events that share a moment.
/// </summary>
public sealed record SessionEvent(
    [property: JsonPropertyName("v")] int V,
    long Seq,
    DateTimeOffset At,
    string State,
    string Person,
    string? Runtime,
    string Fleet,
    string Profile,
    string? Reason,
    double? WaitedSeconds,
    double? HeldSeconds)
{
    public const int Version = 1;

    public static readonly string CsvHeader = "v,seq,at,state,person,runtime,fleet,profile,reason,waitedSeconds,heldSeconds";

    public string ToJson() => JsonSerializer.Serialize(this, SessionEventJson.Options);

    public string ToCsv() => string.Join(',',
        V.ToString(CultureInfo.InvariantCulture), Seq.ToString(CultureInfo.InvariantCulture),
        At.ToString("O", CultureInfo.InvariantCulture), State, Csv(Person), Csv(Runtime), Csv(Fleet), Csv(Profile), Reason ?? "",
        WaitedSeconds?.ToString("0.###", CultureInfo.InvariantCulture) ?? "", HeldSeconds?.ToString("0.###", CultureInfo.InvariantCulture) ?? "");

    /// <summary>The wire name of a state or reason (<c>gave_back</c>, <c>runtime_gone</c>): also the metric's <c>reason</c> tag.</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static string Csv(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

internal static class SessionEventJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = false };
}

/// <summary>Which fleet events name and how many the cache keeps (section <c>Sessions</c>).</summary>
public sealed class SessionEventOptions
{
    public const string Section = "Sessions";

    /// <summary>The newest this many events are kept in the cache; older ones live on only in the logs.</summary>
    [System.ComponentModel.DataAnnotations.Range(100, 10_000_000)]
    public int EventLogLength { get; set; } = 100_000;
}

/// <summary>
/// The bounded, append-only session event log in the cache: a sorted set scored by the event's time in milliseconds,
/// members prefixed by a zero-padded sequence number so events of one millisecond keep their order. Garnet 2.2.8
/// has no streams (XADD answers "unknown command"), so a sorted set stands in; trimming by rank keeps it bounded.
/// Appends happen inside each transition's script (<see cref="AppendLua"/>), so a transition and its event are one change.
/// </summary>
public sealed class SessionEventLog(IConnectionMultiplexer redis)
{
    private const int SeqDigits = 20;

    /// <summary>
    /// Lua helper every transition script starts with: <c>record(eventsKey, seqKey, cap, scoreMs, head, waited, held)</c>
    /// appends the event whose JSON begins with <c>head</c> (without its closing brace) and trims the log to <c>cap</c>.
    /// </summary>
    internal const string AppendLua = """
        local function record(eventsKey, seqKey, cap, score, head, waited, held)
          local seq = redis.call('INCR', seqKey)
          redis.call('ZADD', eventsKey, score, string.format('%020d', seq) .. head .. ',"seq":' .. seq .. ',"waitedSeconds":' .. waited .. ',"heldSeconds":' .. held .. '}')
          redis.call('ZREMRANGEBYRANK', eventsKey, 0, -(tonumber(cap) + 1))
        end
        local function seconds(from, to)
          if not from then return 'null' end
          return string.format('%.3f', math.max(0, tonumber(to) - tonumber(from)))
        end

        """;

    /// <summary>The event's fields known before the script runs, as JSON without the closing brace.</summary>
    internal static string Head(SessionState state, string person, string? runtime, string fleet, string profile, ReleaseReason? reason, DateTimeOffset at)
    {
        var json = JsonSerializer.Serialize(new
        {
            v = SessionEvent.Version,
            at,
            state = SessionEvent.Name(state),
            person,
            runtime,
            fleet,
            profile,
            reason = reason is { } r ? SessionEvent.Name(r) : null,
        }, SessionEventJson.Options);
        return json[..^1];
    }

    /// <summary>Events at or after <paramref name="since"/> and before <paramref name="until"/>, oldest first.</summary>
    public async Task<IReadOnlyList<SessionEvent>> ReadAsync(DateTimeOffset? since, DateTimeOffset? until, int limit = 100_000)
    {
        var members = await redis.GetDatabase().SortedSetRangeByScoreAsync(SessionKeys.Events,
            since?.ToUnixTimeMilliseconds() ?? double.NegativeInfinity,
            until?.ToUnixTimeMilliseconds() ?? double.PositiveInfinity,
            Exclude.Stop, Order.Ascending, 0, limit);
        return members.Select(m => JsonSerializer.Deserialize<SessionEvent>(((string)m!)[SeqDigits..], SessionEventJson.Options)!).ToList();
    }

    /// <summary>The newest <paramref name="count"/> events, oldest first (admin page).</summary>
    public async Task<IReadOnlyList<SessionEvent>> RecentAsync(int count)
    {
        var members = await redis.GetDatabase().SortedSetRangeByRankAsync(SessionKeys.Events, -count, -1);
        return members.Select(m => JsonSerializer.Deserialize<SessionEvent>(((string)m!)[SeqDigits..], SessionEventJson.Options)!).ToList();
    }

    public static string ToJsonLines(IEnumerable<SessionEvent> events)
    {
        var text = new StringBuilder();
        foreach (var e in events)
        {
            text.Append(e.ToJson()).Append('\n');
        }

        return text.ToString();
    }

    public static string ToCsv(IEnumerable<SessionEvent> events)
    {
        var text = new StringBuilder(SessionEvent.CsvHeader).Append('\n');
        foreach (var e in events)
        {
            text.Append(e.ToCsv()).Append('\n');
        }

        return text.ToString();
    }
}
