namespace SdAgones.Runtimes.Sessions;

/// <summary>The cache layout (docs/architecture.md "Cache layout"), in one place.</summary>
public static class SessionKeys
{
    public const string LastSeen = "sd:lastseen";
    public const string Queue = "sd:queue";
    public const string QueueSeen = "sd:queue:seen";
    public const string QueueSequence = "sd:queue:seq";
    public const string QueueJoined = "sd:queue:joined";
    public const string Epoch = "sd:epoch";
    public const string Events = "sd:events";
    public const string EventsSequence = "sd:events:seq";

    public static string Session(string user) => "sd:session:" + user;
    public static string AllocationLock(string user) => "sd:lock:alloc:" + user;
    public static string Notice(string user) => "sd:notice:" + user;
    public static string Lease(string name) => "sd:lease:" + name;

    /// <summary>The profile a person chose last (its slug), remembered for their next request without one.</summary>
    public static string ProfileChoice(string user) => "sd:profile:" + user;
}

/// <summary>
/// The keys of one waiting line: each profile has its own (<c>sd:line:{slug}</c>, <c>…:seen</c>, <c>…:seq</c>,
/// <c>…:joined</c>); <see cref="Single"/> is the line of before profiles (<c>sd:queue</c>…), kept for stores made
/// without a profile.
/// </summary>
public sealed record QueueKeys(string Queue, string Seen, string Sequence, string Joined)
{
    public static readonly QueueKeys Single = new(SessionKeys.Queue, SessionKeys.QueueSeen, SessionKeys.QueueSequence, SessionKeys.QueueJoined);

    /// <summary>The line of the profile <paramref name="slug"/>; <see cref="Single"/> for none.</summary>
    public static QueueKeys For(string? slug) =>
        string.IsNullOrEmpty(slug) ? Single : new("sd:line:" + slug, "sd:line:" + slug + ":seen", "sd:line:" + slug + ":seq", "sd:line:" + slug + ":joined");
}
