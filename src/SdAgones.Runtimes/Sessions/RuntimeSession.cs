namespace SdAgones.Runtimes.Sessions;

/// <summary>A person's claim on one runtime: which GameServer, where its WebUI answers, since when.</summary>
public sealed record RuntimeSession(string User, string Runtime, Uri Target, DateTimeOffset AllocatedAt, string? Node);

/// <summary>A session with the last activity the cache has recorded for it.</summary>
public sealed record SessionView(RuntimeSession Session, DateTimeOffset? LastSeen);
