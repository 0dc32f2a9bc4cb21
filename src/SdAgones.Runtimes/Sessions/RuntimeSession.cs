namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// A person's claim on one runtime: which GameServer, where its WebUI answers, since when, and of which profile
/// (its slug; empty in sessions written before profiles, read as the default profile).
/// </summary>
public sealed record RuntimeSession(string User, string Runtime, Uri Target, DateTimeOffset AllocatedAt, string? Node, string Profile = "");

/// <summary>A session with the last activity the cache has recorded for it.</summary>
public sealed record SessionView(RuntimeSession Session, DateTimeOffset? LastSeen);
