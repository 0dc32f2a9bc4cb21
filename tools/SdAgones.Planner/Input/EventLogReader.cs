using System.Globalization;
using System.Text.Json;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Planner.Input;

/// <summary>
/// Reads the platform's session-events export (<c>GET /_sd/api/admin/events?format=jsonl|csv</c>, shape version
/// <see cref="SessionEvent.Version"/>) and turns each person's queued → bound → released run into a <see cref="Visit"/>.
/// Activity is not in the events: a runtime released as <c>idle</c> was last used the recorded idle timeout before its
/// release; any other release ends the activity at the release itself.
/// </summary>
public static class EventLogReader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Trace Read(string path, TimeSpan recordedIdleTimeout)
    {
        if (!File.Exists(path))
        {
            throw new PlannerInputException($"--events: file '{path}' does not exist.");
        }

        var lines = File.ReadAllLines(path);
        var first = Array.FindIndex(lines, l => l.Trim().Length > 0);
        if (first < 0)
        {
            throw new PlannerInputException($"{path}: the file is empty (no session events).");
        }

        var events = lines[first].TrimStart().StartsWith('{') ? ParseJsonLines(path, lines) : ParseCsv(path, lines, first);
        if (events.Count == 0)
        {
            throw new PlannerInputException($"{path}: no session events after the CSV header.");
        }

        return ToTrace(path, events, recordedIdleTimeout);
    }

    private static List<(int Line, SessionEvent Event)> ParseJsonLines(string path, string[] lines)
    {
        var events = new List<(int, SessionEvent)>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            SessionEvent? e;
            try
            {
                e = JsonSerializer.Deserialize<SessionEvent>(lines[i], Json);
            }
            catch (JsonException ex)
            {
                throw new PlannerInputException($"{path} line {i + 1}: not a session event ({FirstSentence(ex.Message)}).");
            }

            events.Add((i + 1, Check(path, i + 1, e)));
        }

        return events;
    }

    private static List<(int Line, SessionEvent Event)> ParseCsv(string path, string[] lines, int headerIndex)
    {
        var header = SplitCsv(lines[headerIndex]);
        int Column(string name) => header.FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase)) is var c and >= 0
            ? c
            : throw new PlannerInputException($"{path} line {headerIndex + 1}: neither a JSON event nor a CSV header with column '{name}' (expected: {SessionEvent.CsvHeader}).");
        int v = Column("v"), seq = Column("seq"), at = Column("at"), state = Column("state"), person = Column("person"), runtime = Column("runtime"),
            fleet = Column("fleet"), profile = Column("profile"), reason = Column("reason"), waited = Column("waitedSeconds"), held = Column("heldSeconds");

        var events = new List<(int, SessionEvent)>(lines.Length);
        for (var i = headerIndex + 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            var f = SplitCsv(lines[i]);
            var n = i + 1;
            if (f.Count < header.Count)
            {
                throw new PlannerInputException($"{path} line {n}: {f.Count} fields, the header has {header.Count}.");
            }

            var e = new SessionEvent(
                Int(path, n, "v", f[v]), Int(path, n, "seq", f[seq]), Time(path, n, f[at]), f[state], f[person],
                Empty(f[runtime]), f[fleet], f[profile], Empty(f[reason]), Seconds(path, n, "waitedSeconds", f[waited]), Seconds(path, n, "heldSeconds", f[held]));
            events.Add((n, Check(path, n, e)));
        }

        return events;
    }

    private static SessionEvent Check(string path, int line, SessionEvent? e)
    {
        if (e is null)
        {
            throw new PlannerInputException($"{path} line {line}: not a session event (null).");
        }

        if (e.V != SessionEvent.Version)
        {
            throw new PlannerInputException(e.V == 0
                ? $"{path} line {line}: no shape version (field \"v\"); this planner reads version {SessionEvent.Version}."
                : $"{path} line {line}: unknown event version {e.V}; this planner reads version {SessionEvent.Version}.");
        }

        if (e.State is not ("queued" or "allocating" or "bound" or "released"))
        {
            throw new PlannerInputException($"{path} line {line}: unknown state '{e.State}' (allowed: queued, allocating, bound, released).");
        }

        if (e.WaitedSeconds < 0 || e.HeldSeconds < 0)
        {
            var (name, value) = e.WaitedSeconds < 0 ? ("waitedSeconds", e.WaitedSeconds) : ("heldSeconds", e.HeldSeconds);
            throw new PlannerInputException($"{path} line {line}: {name} is negative ({value?.ToString(CultureInfo.InvariantCulture)}); durations must be ≥ 0.");
        }

        if (e.At == default)
        {
            throw new PlannerInputException($"{path} line {line}: no time (field \"at\").");
        }

        return e;
    }

    private static Trace ToTrace(string path, List<(int Line, SessionEvent Event)> events, TimeSpan recordedIdleTimeout)
    {
        events.Sort((a, b) => a.Event.At != b.Event.At ? a.Event.At.CompareTo(b.Event.At) : a.Event.Seq.CompareTo(b.Event.Seq));
        var origin = events[0].Event.At;
        long Ms(DateTimeOffset t) => (long)Math.Round((t - origin).TotalMilliseconds);
        var horizon = Ms(events[^1].Event.At);

        var open = new Dictionary<string, (long Arrive, long? Bound, string Pool)>(StringComparer.Ordinal);
        var pools = new Dictionary<string, List<Visit>>(StringComparer.Ordinal);
        var waits = new List<double>();
        double held = 0;
        int sessions = 0, leftLine = 0;

        void Add(string person, string pool, long arrive, long activeMs, bool gaveBack)
        {
            if (!pools.TryGetValue(pool, out var list))
            {
                pools[pool] = list = [];
            }

            list.Add(new Visit(person, pool, arrive, Math.Max(0, activeMs), gaveBack));
        }

        foreach (var (line, e) in events)
        {
            if (e.Person.Length == 0)
            {
                continue; // an orphan without annotation: no person asked for it
            }

            var now = Ms(e.At);
            var pool = e.Profile.Length == 0 ? e.Fleet : $"{e.Fleet}/{e.Profile}";
            switch (e.State)
            {
                case "queued":
                    if (!open.ContainsKey(e.Person))
                    {
                        open[e.Person] = (now, null, pool);
                    }

                    break;
                case "bound":
                    open[e.Person] = open.TryGetValue(e.Person, out var q) && q.Bound is null ? (q.Arrive, now, pool) : (now, now, pool);
                    sessions++;
                    if (e.WaitedSeconds is { } w)
                    {
                        waits.Add(w);
                    }

                    break;
                case "released":
                    held += e.HeldSeconds ?? 0;
                    if (!open.Remove(e.Person, out var o))
                    {
                        break; // released without a known start (the log was trimmed): nothing to replay
                    }

                    if (o.Bound is not { } boundAt)
                    {
                        leftLine++; // left the line before getting a runtime
                        break;
                    }

                    var idle = e.Reason == "idle";
                    var lastActive = idle ? now - (long)recordedIdleTimeout.TotalMilliseconds : now;
                    if (lastActive < boundAt && !idle)
                    {
                        throw new PlannerInputException($"{path} line {line}: released before it was bound.");
                    }

                    Add(e.Person, o.Pool, o.Arrive, lastActive - boundAt, gaveBack: !idle);
                    break;
            }
        }

        foreach (var (person, o) in open)
        {
            if (o.Bound is { } boundAt)
            {
                Add(person, o.Pool, o.Arrive, horizon - boundAt, gaveBack: false); // still held when the log ends
            }
        }

        var sorted = pools.ToDictionary(
            p => p.Key,
            p => (IReadOnlyList<Visit>)p.Value.OrderBy(v => v.ArriveAtMs).ThenBy(v => v.Person, StringComparer.Ordinal).ToList(),
            StringComparer.Ordinal);
        if (sorted.Count == 0)
        {
            throw new PlannerInputException($"{path}: the events hold no session that was bound, so there is nothing to replay.");
        }

        return new Trace(origin, horizon, sorted, new ObservedRun(sessions, held, waits, leftLine));
    }

    internal static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString().TrimEnd('\r'));
        return fields;
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;

    private static int Int(string path, int line, string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
        : throw new PlannerInputException($"{path} line {line}: {name} '{value}' is not a whole number.");

    private static DateTimeOffset Time(string path, int line, string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t
        : throw new PlannerInputException($"{path} line {line}: at '{value}' is not an ISO 8601 time.");

    private static double? Seconds(string path, int line, string name, string value) =>
        value.Length == 0 ? null
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s
        : throw new PlannerInputException($"{path} line {line}: {name} '{value}' is not a number.");

    private static string FirstSentence(string message) => message.Split(". ")[0].TrimEnd('.');
}
