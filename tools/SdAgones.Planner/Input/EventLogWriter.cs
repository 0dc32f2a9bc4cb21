using SdAgones.Runtimes.Sessions;

namespace SdAgones.Planner.Input;

/// <summary>
/// Writes a trace as the platform's session events (shape version 1, the admin export's JSONL), as a platform with
/// a runtime always Ready would have logged it: queued and bound at the arrival, released as <c>gave_back</c> at the
/// last activity or as <c>idle</c> the idle timeout after it. A person's visits that overlap a runtime still theirs
/// join that session. For benchmarks, and for feeding a synthetic week to a real platform run.
/// </summary>
public static class EventLogWriter
{
    public static void Write(string path, Trace trace, TimeSpan idleTimeout)
    {
        var timeout = (long)idleTimeout.TotalMilliseconds;
        var events = new List<SessionEvent>();
        foreach (var (pool, visits) in trace.Pools)
        {
            var parts = pool.Split('/', 2);
            foreach (var person in visits.GroupBy(v => v.Person, StringComparer.Ordinal))
            {
                (long Start, long LastActive, bool GaveBack)? open = null;
                var n = 0;
                foreach (var v in person.OrderBy(v => v.ArriveAtMs))
                {
                    if (open is { } o && v.ArriveAtMs <= End(o))
                    {
                        open = Math.Max(o.LastActive, v.ArriveAtMs + v.ActiveMs) == o.LastActive ? o : (o.Start, v.ArriveAtMs + v.ActiveMs, v.GaveBack);
                        continue;
                    }

                    Close();
                    open = (v.ArriveAtMs, v.ArriveAtMs + v.ActiveMs, v.GaveBack);
                }

                Close();

                void Close()
                {
                    if (open is not { } o)
                    {
                        return;
                    }

                    var runtime = $"{parts[0]}-{person.Key}-{n++}";
                    var end = End(o);
                    events.Add(Event(o.Start, "queued", person.Key, null, null, null, null));
                    events.Add(Event(o.Start, "allocating", person.Key, null, null, null, null));
                    events.Add(Event(o.Start, "bound", person.Key, runtime, null, 0, null));
                    events.Add(Event(end, "released", person.Key, runtime, o.GaveBack ? "gave_back" : "idle", null, (end - o.Start) / 1000.0));
                }

                SessionEvent Event(long at, string state, string who, string? runtime, string? reason, double? waited, double? held) =>
                    new(SessionEvent.Version, 0, trace.Origin.AddMilliseconds(at), state, who, runtime, parts[0], parts.Length > 1 ? parts[1] : "", reason, waited, held);
            }
        }

        var seq = 0L;
        var ordered = events.OrderBy(e => e.At).ThenBy(e => e.State == "released" ? 0 : 1).Select(e => e with { Seq = ++seq });
        File.WriteAllText(path, SessionEventLog.ToJsonLines(ordered));

        long End((long Start, long LastActive, bool GaveBack) o) => o.GaveBack ? o.LastActive : o.LastActive + timeout;
    }
}
