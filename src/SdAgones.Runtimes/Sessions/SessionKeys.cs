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
}
