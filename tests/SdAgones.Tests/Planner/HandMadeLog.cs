using SdAgones.Runtimes.Sessions;

namespace SdAgones.Tests.Planner;

/// <summary>
/// Three people whose recorded run (Idle:Timeout 15 min) is small enough to replay by hand. Seconds after 09:00 UTC:
/// <list type="bullet">
/// <item>alice: queued 0, bound 0, released idle 1200 → last active 1200 − 900 = 300 (active 300 s after the bind);
/// again queued 1500, bound 1500, gave back 1600 (active 100 s, gives back).</item>
/// <item>bob: queued 10, bound 40, gave back 640 (active 600 s, gives back).</item>
/// <item>carol: queued 20, bound 70, released idle 1900 → last active 1000 (active 930 s after the bind).</item>
/// </list>
/// The log ends at 1900 s.
/// </summary>
internal static class HandMadeLog
{
    public static readonly DateTimeOffset Nine = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<SessionEvent> Events()
    {
        var seq = 0L;
        SessionEvent E(double s, string state, string person, string? runtime = null, string? reason = null, double? waited = null, double? held = null) =>
            new(SessionEvent.Version, ++seq, Nine.AddSeconds(s), state, person, runtime, "sd-webui", "", reason, waited, held);

        return
        [
            E(0, "queued", "alice"), E(0, "allocating", "alice"), E(0, "bound", "alice", "gs-a", waited: 0),
            E(10, "queued", "bob"),
            E(20, "queued", "carol"),
            E(40, "allocating", "bob"), E(40, "bound", "bob", "gs-b", waited: 30),
            E(70, "allocating", "carol"), E(70, "bound", "carol", "gs-c", waited: 50),
            E(640, "released", "bob", "gs-b", reason: "gave_back", held: 600),
            E(1200, "released", "alice", "gs-a", reason: "idle", held: 1200),
            E(1500, "queued", "alice"), E(1500, "allocating", "alice"), E(1500, "bound", "alice", "gs-d", waited: 0),
            E(1600, "released", "alice", "gs-d", reason: "gave_back", held: 100),
            E(1900, "released", "carol", "gs-c", reason: "idle", held: 1830),
        ];
    }

    /// <summary>Writes the events as the admin export does (<c>format=jsonl</c> or <c>csv</c>) and returns the path.</summary>
    public static string Export(string directory, string format)
    {
        var path = Path.Combine(directory, $"events.{format}");
        File.WriteAllText(path, format == "csv" ? SessionEventLog.ToCsv(Events()) : SessionEventLog.ToJsonLines(Events()));
        return path;
    }
}
