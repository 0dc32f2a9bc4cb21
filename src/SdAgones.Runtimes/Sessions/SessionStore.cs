using System.Globalization;
using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// Sessions, the last-seen index and allocation locks in the Redis-protocol cache (the waiting line, notices and
/// leases have their own stores). Every change that touches more than one key is one Lua script, so it is atomic on
/// Garnet and Redis alike; every session transition appends its event (<see cref="SessionEventLog"/>) in the same script.
/// </summary>
/// <remarks>
/// A session records its profile; its events name the profile and the profile's Fleet (<paramref name="profiles"/>;
/// without a catalog, <paramref name="fleet"/>). The allocation lock is the person's, whatever the profile.
/// </remarks>
public sealed class SessionStore(
    IConnectionMultiplexer redis, TimeProvider time, string fleet = "", int eventLogLength = 100_000, SdAgones.Contracts.Profiles.ProfileCatalog? profiles = null)
{
    // KEYS: session, lastseen, queue, queue:seen, queue:joined, events, events:seq, allocation lock
    // ARGV: user, runtime, target, allocatedAt, node, now (s), score (ms), head, cap, profile, lock token ('' when none is held)
    private const string BindScript = SessionEventLog.AppendLua + """
        redis.call('HSET', KEYS[1], 'runtime', ARGV[2], 'target', ARGV[3], 'allocatedAt', ARGV[4], 'node', ARGV[5], 'profile', ARGV[10])
        redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        redis.call('ZREM', KEYS[4], ARGV[1])
        local joined = redis.call('ZSCORE', KEYS[5], ARGV[1])
        redis.call('ZREM', KEYS[5], ARGV[1])
        record(KEYS[6], KEYS[7], ARGV[9], ARGV[7], ARGV[8], seconds(joined, ARGV[6]), 'null')
        if ARGV[11] ~= '' and redis.call('GET', KEYS[8]) == ARGV[11] then redis.call('DEL', KEYS[8]) end
        return 1
        """;

    // Removes the session only if it still points at this runtime; with a deadline, only if it is still idle.
    // An orphan (ARGV[6] = '1') has no session: it is released only if the person's session does NOT point at it.
    // KEYS: session, lastseen, events, events:seq
    // ARGV: user, runtime, idle deadline (s) or '', now (ms), head, orphan, held seconds for an orphan, cap
    private const string ReleaseScript = SessionEventLog.AppendLua + """
        local current = redis.call('HGET', KEYS[1], 'runtime')
        if ARGV[6] == '1' then
          if current == ARGV[2] then return 0 end
          record(KEYS[3], KEYS[4], ARGV[8], ARGV[4], ARGV[5], 'null', ARGV[7])
          return 1
        end
        if current ~= ARGV[2] then return 0 end
        if ARGV[3] ~= '' then
          local seen = redis.call('ZSCORE', KEYS[2], ARGV[1])
          if seen and tonumber(seen) > tonumber(ARGV[3]) then return 0 end
        end
        local allocatedAt = redis.call('HGET', KEYS[1], 'allocatedAt')
        redis.call('DEL', KEYS[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        local held = 'null'
        if allocatedAt then held = seconds(tonumber(allocatedAt) / 1000, tonumber(ARGV[4]) / 1000) end
        record(KEYS[3], KEYS[4], ARGV[8], ARGV[4], ARGV[5], 'null', held)
        return 1
        """;

    private const string UnlockScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    // KEYS: lock, events, events:seq; ARGV: token, ttl (ms), score (ms), head, cap
    private const string LockScript = SessionEventLog.AppendLua + """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          record(KEYS[2], KEYS[3], ARGV[5], ARGV[3], ARGV[4], 'null', 'null')
          return 1
        end
        return 0
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<RuntimeSession?> GetAsync(string user)
    {
        var fields = await Db.HashGetAllAsync(SessionKeys.Session(user));
        return Parse(user, fields);
    }

    /// <summary>
    /// Binds a person to a runtime, marks them active now and takes them out of the session's profile's line, atomically
    /// (event: bound); with the <paramref name="lockToken"/> of the allocation that got the runtime, that lock is let go
    /// in the same script.
    /// </summary>
    public async Task AssignAsync(RuntimeSession session, string? lockToken = null)
    {
        var now = time.GetUtcNow();
        session = session with { Profile = Slug(session.Profile) };
        var line = QueueKeys.For(session.Profile);
        await Db.ScriptEvaluateAsync(BindScript,
            [SessionKeys.Session(session.User), SessionKeys.LastSeen, line.Queue, line.Seen, line.Joined, SessionKeys.Events, SessionKeys.EventsSequence,
                SessionKeys.AllocationLock(session.User)],
            [session.User, session.Runtime, session.Target.ToString(), session.AllocatedAt.ToUnixTimeMilliseconds(), session.Node ?? "", CacheTime.Seconds(now),
                now.ToUnixTimeMilliseconds(), SessionEventLog.Head(SessionState.Bound, session.User, session.Runtime, FleetOf(session.Profile), session.Profile, null, now),
                eventLogLength, session.Profile, lockToken ?? ""]);
    }

    /// <summary>The Fleet events name for <paramref name="profile"/>: the profile's, or the store's own without a catalog.</summary>
    private string FleetOf(string profile) => profiles?.Find(profile)?.FleetName ?? fleet;

    /// <summary>A session's profile: the one named, or the default profile for one that names none (made before profiles).</summary>
    private string Slug(string profile) => profile.Length > 0 ? profile : profiles?.Default.Slug ?? "";

    /// <summary>Records activity; never creates an index entry for a person who has no session.</summary>
    public Task TouchAsync(string user, DateTimeOffset at) =>
        Db.SortedSetAddAsync(SessionKeys.LastSeen, user, CacheTime.Seconds(at), SortedSetWhen.Exists);

    /// <summary>Removes the session if it still points at <paramref name="runtime"/>; false when something else owns it now.</summary>
    internal Task<bool> RemoveAsync(string user, string runtime, ReleaseReason reason = ReleaseReason.RuntimeGone) =>
        ReleaseAsync(user, runtime, reason, idleSince: null, orphanHeld: null, profile: "");

    /// <summary>Removes the session only if it still points at the runtime and has had no activity after <paramref name="idleSince"/>.</summary>
    internal Task<bool> RemoveIfIdleAsync(string user, string runtime, DateTimeOffset idleSince) =>
        ReleaseAsync(user, runtime, ReleaseReason.Idle, idleSince, orphanHeld: null, profile: "");

    /// <summary>
    /// The cache side of a release (event: released): compare-and-delete of the session, or for an
    /// <see cref="ReleaseReason.Orphan"/> the check that no session of the person points at the runtime.
    /// </summary>
    internal async Task<bool> ReleaseAsync(string user, string runtime, ReleaseReason reason, DateTimeOffset? idleSince, TimeSpan? orphanHeld, string profile)
    {
        var now = time.GetUtcNow();
        var orphan = reason == ReleaseReason.Orphan;
        return (int)await Db.ScriptEvaluateAsync(ReleaseScript,
            [SessionKeys.Session(user), SessionKeys.LastSeen, SessionKeys.Events, SessionKeys.EventsSequence],
            [user, runtime, idleSince is { } since ? CacheTime.Seconds(since).ToString("R", CultureInfo.InvariantCulture) : "", now.ToUnixTimeMilliseconds(),
                SessionEventLog.Head(SessionState.Released, user, runtime, FleetOf(Slug(profile)), Slug(profile), reason, now), orphan ? "1" : "0",
                orphanHeld is { } held ? held.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) : "null", eventLogLength]) == 1;
    }

    /// <summary>People whose last activity is at or before <paramref name="deadline"/>, oldest first: O(log N + M).</summary>
    public async Task<IReadOnlyList<(string User, DateTimeOffset LastSeen)>> IdleSinceAsync(DateTimeOffset deadline, int limit)
    {
        var entries = await Db.SortedSetRangeByScoreWithScoresAsync(
            SessionKeys.LastSeen, double.NegativeInfinity, CacheTime.Seconds(deadline), Exclude.None, Order.Ascending, 0, limit);
        return entries.Select(e => ((string)e.Element!, CacheTime.FromSeconds(e.Score))).ToList();
    }

    /// <summary>Removes a last-seen entry that has no session behind it (the session check is the caller's).</summary>
    public Task ForgetLastSeenAsync(string user) => Db.SortedSetRemoveAsync(SessionKeys.LastSeen, user);

    public async Task<DateTimeOffset?> LastSeenAsync(string user) =>
        await Db.SortedSetScoreAsync(SessionKeys.LastSeen, user) is { } score ? CacheTime.FromSeconds(score) : null;

    /// <summary>Every session with its last activity (admin page; cost grows with the number of sessions).</summary>
    public async Task<IReadOnlyList<SessionView>> ListAsync()
    {
        var entries = await Db.SortedSetRangeByRankWithScoresAsync(SessionKeys.LastSeen);
        var views = new List<SessionView>(entries.Length);
        foreach (var entry in entries)
        {
            if (await GetAsync(entry.Element!) is { } session)
            {
                views.Add(new SessionView(session, CacheTime.FromSeconds(entry.Score)));
            }
        }

        return views;
    }

    /// <summary>
    /// Takes the person's allocation lock (event: allocating, for <paramref name="profile"/>); false when another attempt
    /// holds it, whichever profile that attempt is for.
    /// </summary>
    public async Task<bool> TryLockAsync(string user, string token, TimeSpan ttl, string profile = "")
    {
        var now = time.GetUtcNow();
        return (int)await Db.ScriptEvaluateAsync(LockScript, [SessionKeys.AllocationLock(user), SessionKeys.Events, SessionKeys.EventsSequence],
            [token, (long)ttl.TotalMilliseconds, now.ToUnixTimeMilliseconds(), SessionEventLog.Head(SessionState.Allocating, user, null, FleetOf(Slug(profile)), Slug(profile), null, now), eventLogLength]) == 1;
    }

    public async Task<bool> IsLockedAsync(string user) => await Db.KeyExistsAsync(SessionKeys.AllocationLock(user));

    public async Task UnlockAsync(string user, string token) =>
        await Db.ScriptEvaluateAsync(UnlockScript, [SessionKeys.AllocationLock(user)], [token]);

    /// <summary>A session from its hash fields; null when they do not name a runtime and an address.</summary>
    internal static RuntimeSession? Parse(string user, HashEntry[] fields)
    {
        if (fields.Length == 0)
        {
            return null;
        }

        var map = fields.ToDictionary(f => (string)f.Name!, f => (string?)f.Value);
        if (!map.TryGetValue("runtime", out var runtime) || string.IsNullOrEmpty(runtime)
            || !map.TryGetValue("target", out var target) || !Uri.TryCreate(target, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var allocatedAt = map.TryGetValue("allocatedAt", out var at) && long.TryParse(at, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : DateTimeOffset.UnixEpoch;
        return new RuntimeSession(user, runtime, uri, allocatedAt, map.GetValueOrDefault("node") is { Length: > 0 } node ? node : null,
            map.GetValueOrDefault("profile") ?? "");
    }
}
