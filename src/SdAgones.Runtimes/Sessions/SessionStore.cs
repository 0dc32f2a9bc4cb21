using System.Globalization;
using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// Sessions, the last-seen index, allocation locks, the waiting queue and leases in the Redis-protocol cache.
/// Every change that touches more than one key is one Lua script, so it is atomic on Garnet and Redis alike.
/// </summary>
public sealed class SessionStore(IConnectionMultiplexer redis, TimeProvider time)
{
    private const string BindScript = """
        redis.call('HSET', KEYS[1], 'runtime', ARGV[2], 'target', ARGV[3], 'allocatedAt', ARGV[4], 'node', ARGV[5])
        redis.call('SET', KEYS[2], ARGV[1])
        redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
        redis.call('ZREM', KEYS[4], ARGV[1])
        redis.call('ZREM', KEYS[5], ARGV[1])
        return 1
        """;

    // Removes the session only if it still points at this runtime; with a deadline, only if it is still idle.
    private const string RemoveScript = """
        if redis.call('HGET', KEYS[1], 'runtime') ~= ARGV[2] then return 0 end
        if ARGV[3] ~= '' then
          local seen = redis.call('ZSCORE', KEYS[3], ARGV[1])
          if seen and tonumber(seen) > tonumber(ARGV[3]) then return 0 end
        end
        redis.call('DEL', KEYS[1])
        if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
        redis.call('ZREM', KEYS[3], ARGV[1])
        return 1
        """;

    private const string UnlockScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private const string EnqueueScript = """
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
        if rank then return rank end
        local ticket = redis.call('INCR', KEYS[3])
        redis.call('ZADD', KEYS[1], ticket, ARGV[1])
        return redis.call('ZRANK', KEYS[1], ARGV[1])
        """;

    private const string RenewLeaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
        return 0
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<RuntimeSession?> GetAsync(string user)
    {
        var fields = await Db.HashGetAllAsync(SessionKeys.Session(user));
        return Parse(user, fields);
    }

    /// <summary>Binds a person to a runtime, marks them active now and takes them out of the queue, atomically.</summary>
    public async Task AssignAsync(RuntimeSession session)
    {
        await Db.ScriptEvaluateAsync(BindScript,
            [SessionKeys.Session(session.User), SessionKeys.Runtime(session.Runtime), SessionKeys.LastSeen, SessionKeys.Queue, SessionKeys.QueueSeen],
            [session.User, session.Runtime, session.Target.ToString(), session.AllocatedAt.ToUnixTimeMilliseconds(), session.Node ?? "", Now()]);
    }

    /// <summary>Records activity; never creates an index entry for a person who has no session.</summary>
    public Task TouchAsync(string user, DateTimeOffset at) =>
        Db.SortedSetAddAsync(SessionKeys.LastSeen, user, Seconds(at), SortedSetWhen.Exists);

    /// <summary>Removes the session if it still points at <paramref name="runtime"/>; false when something else owns it now.</summary>
    public async Task<bool> RemoveAsync(string user, string runtime) =>
        (int)await Db.ScriptEvaluateAsync(RemoveScript,
            [SessionKeys.Session(user), SessionKeys.Runtime(runtime), SessionKeys.LastSeen],
            [user, runtime, ""]) == 1;

    /// <summary>Removes the session only if it still points at the runtime and has had no activity after <paramref name="idleSince"/>.</summary>
    public async Task<bool> RemoveIfIdleAsync(string user, string runtime, DateTimeOffset idleSince) =>
        (int)await Db.ScriptEvaluateAsync(RemoveScript,
            [SessionKeys.Session(user), SessionKeys.Runtime(runtime), SessionKeys.LastSeen],
            [user, runtime, Seconds(idleSince).ToString("R", CultureInfo.InvariantCulture)]) == 1;

    /// <summary>People whose last activity is at or before <paramref name="deadline"/>, oldest first: O(log N + M).</summary>
    public async Task<IReadOnlyList<(string User, DateTimeOffset LastSeen)>> IdleSinceAsync(DateTimeOffset deadline, int limit)
    {
        var entries = await Db.SortedSetRangeByScoreWithScoresAsync(
            SessionKeys.LastSeen, double.NegativeInfinity, Seconds(deadline), Exclude.None, Order.Ascending, 0, limit);
        return entries.Select(e => ((string)e.Element!, FromSeconds(e.Score))).ToList();
    }

    /// <summary>Removes a last-seen entry that has no session behind it (the session check is the caller's).</summary>
    public Task ForgetLastSeenAsync(string user) => Db.SortedSetRemoveAsync(SessionKeys.LastSeen, user);

    /// <summary>Marks the cache as holding the platform's data; a cache that lost its data (flush, restart) lacks the mark.</summary>
    public Task<bool> MarkEpochAsync(string epoch) => Db.StringSetAsync(SessionKeys.Epoch, epoch, when: When.NotExists);

    public async Task<string?> EpochAsync() => await Db.StringGetAsync(SessionKeys.Epoch);

    public async Task<DateTimeOffset?> LastSeenAsync(string user) =>
        await Db.SortedSetScoreAsync(SessionKeys.LastSeen, user) is { } score ? FromSeconds(score) : null;

    /// <summary>Every session with its last activity (admin page; cost grows with the number of sessions).</summary>
    public async Task<IReadOnlyList<SessionView>> ListAsync()
    {
        var entries = await Db.SortedSetRangeByRankWithScoresAsync(SessionKeys.LastSeen);
        var views = new List<SessionView>(entries.Length);
        foreach (var entry in entries)
        {
            if (await GetAsync(entry.Element!) is { } session)
            {
                views.Add(new SessionView(session, FromSeconds(entry.Score)));
            }
        }

        return views;
    }

    /// <summary>Which person the cache says owns a runtime (the reverse index).</summary>
    public async Task<string?> OwnerOfAsync(string runtime) => await Db.StringGetAsync(SessionKeys.Runtime(runtime));

    public async Task<bool> TryLockAsync(string user, string token, TimeSpan ttl) =>
        await Db.StringSetAsync(SessionKeys.AllocationLock(user), token, ttl, When.NotExists);

    public async Task<bool> IsLockedAsync(string user) => await Db.KeyExistsAsync(SessionKeys.AllocationLock(user));

    public async Task UnlockAsync(string user, string token) =>
        await Db.ScriptEvaluateAsync(UnlockScript, [SessionKeys.AllocationLock(user)], [token]);

    /// <summary>Puts the person in the FIFO queue if not there yet and returns their 0-based position.</summary>
    public async Task<long> EnqueueAsync(string user) =>
        (long)await Db.ScriptEvaluateAsync(EnqueueScript,
            [SessionKeys.Queue, SessionKeys.QueueSeen, SessionKeys.QueueSequence], [user, Now()]);

    public async Task<long?> QueuePositionAsync(string user) => await Db.SortedSetRankAsync(SessionKeys.Queue, user);

    public async Task LeaveQueueAsync(string user)
    {
        var batch = Db.CreateBatch();
        var a = batch.SortedSetRemoveAsync(SessionKeys.Queue, user);
        var b = batch.SortedSetRemoveAsync(SessionKeys.QueueSeen, user);
        batch.Execute();
        await Task.WhenAll(a, b);
    }

    public async Task<IReadOnlyList<string>> QueueAsync(int limit = 1000) =>
        (await Db.SortedSetRangeByRankAsync(SessionKeys.Queue, 0, limit - 1)).Select(v => (string)v!).ToList();

    public async Task<long> QueueLengthAsync() => await Db.SortedSetLengthAsync(SessionKeys.Queue);

    /// <summary>Drops queue entries of people who stopped asking before <paramref name="before"/> (they left the page).</summary>
    public async Task<int> DropStaleQueueEntriesAsync(DateTimeOffset before)
    {
        var stale = await Db.SortedSetRangeByScoreAsync(SessionKeys.QueueSeen, double.NegativeInfinity, Seconds(before));
        foreach (var user in stale)
        {
            await LeaveQueueAsync(user!);
        }

        return stale.Length;
    }

    /// <summary>A message for the person's next page ("your runtime was restarted"), kept for a while.</summary>
    public Task SetNoticeAsync(string user, string notice) =>
        Db.StringSetAsync(SessionKeys.Notice(user), notice, TimeSpan.FromMinutes(10));

    public async Task<string?> TakeNoticeAsync(string user) => await Db.StringGetDeleteAsync(SessionKeys.Notice(user));

    public async Task<string?> PeekNoticeAsync(string user) => await Db.StringGetAsync(SessionKeys.Notice(user));

    /// <summary>Takes or renews a lease; true while <paramref name="holder"/> holds it.</summary>
    public async Task<bool> TryHoldLeaseAsync(string name, string holder, TimeSpan ttl) =>
        (int)await Db.ScriptEvaluateAsync(RenewLeaseScript, [SessionKeys.Lease(name)],
            [holder, (long)ttl.TotalMilliseconds]) == 1;

    public async Task ReleaseLeaseAsync(string name, string holder) =>
        await Db.ScriptEvaluateAsync(UnlockScript, [SessionKeys.Lease(name)], [holder]);

    private double Now() => Seconds(time.GetUtcNow());

    private static double Seconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;

    private static DateTimeOffset FromSeconds(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));

    private static RuntimeSession? Parse(string user, HashEntry[] fields)
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
        return new RuntimeSession(user, runtime, uri, allocatedAt, map.GetValueOrDefault("node") is { Length: > 0 } node ? node : null);
    }
}
