using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>How the waiting line orders people who join it; null terms keep the line first come, first served.</summary>
public interface IWaitingOrder
{
    /// <summary>
    /// What the join script needs to score the person inside the cache (fair share), or null for FIFO by ticket. No cache
    /// read here: the script reads the person's usage itself, once, when they join.
    /// </summary>
    FairShareTerms? TermsFor(string user);
}

/// <summary>
/// The inputs of <c>FairShare.Priority</c> the cache cannot know: where the person's usage is kept and the settings.
/// The join script computes the same formula from the person's day buckets (docs/fair-share.md).
/// </summary>
public sealed record FairShareTerms(string UsageKey, TimeSpan HalfLife, double Weight, TimeSpan UsageScale, TimeSpan MaxWaitBehindLater);

/// <summary>What one admission (<see cref="WaitingLine.AdmitAsync"/>) found: the person's session, or their place in line and whether they hold the lock now.</summary>
public sealed record Admission(AdmissionResult Result, RuntimeSession? Session, long Rank, bool Joined);

/// <summary>The outcome of one admission script.</summary>
public enum AdmissionResult
{
    /// <summary>The person has a session already (<see cref="Admission.Session"/>).</summary>
    Bound,

    /// <summary>In line (joined now or before), not among those who may allocate now.</summary>
    Queued,

    /// <summary>May allocate, and took the allocation lock with the caller's token (event: allocating).</summary>
    Locked,

    /// <summary>May allocate, but another attempt holds the person's allocation lock.</summary>
    PeerHolds,
}

/// <summary>
/// The waiting line in the cache, with each person's last request (to drop those who left the page) and when they
/// joined (for the time waited). FIFO by ticket; with an <see cref="IWaitingOrder"/> that gives terms (fair share), by
/// <c>FairShare.Priority</c> computed in the join script from the person's usage and fixed at joining, ties in one
/// millisecond kept in arrival order by the ticket. Either way a join, a position and the first in line are single
/// sorted-set operations, so their cost does not grow with the line. Joining and leaving append their session events in
/// the same script. <see cref="AdmitAsync"/> is the gateway's one round trip before asking Agones: session check, join,
/// rank and lock together.
/// </summary>
/// <remarks>
/// Each profile has its own line (<paramref name="profile"/> names it and its events, <see cref="QueueKeys.For"/> its
/// keys); made without one it is the single line of before profiles.
/// </remarks>
public sealed class WaitingLine(
    IConnectionMultiplexer redis, TimeProvider time, string fleet = "", int eventLogLength = 100_000, IWaitingOrder? order = null, string profile = "")
{
    private readonly QueueKeys keys = QueueKeys.For(profile);

    /// <summary>The slug of the profile whose line this is ("" for the single line of before profiles).</summary>
    public string Profile => profile;

    /// <summary>The line's cache keys.</summary>
    public QueueKeys Keys => keys;

    // The layout every join script shares (JoinLua reads KEYS[1..7] and ARGV[1..10]):
    // KEYS: 1 queue, 2 queue:seen, 3 queue:seq, 4 queue:joined, 5 events, 6 events:seq, 7 the person's usage hash (fair share)
    // ARGV: 1 user, 2 now (s), 3 now (ms), 4 queued event head, 5 event cap, 6 '1' for fair share or '', 7 half-life (ms),
    //       8 weight, 9 usage scale (s), 10 max wait behind later (ms)
    // priority(): FairShare.Priority in Lua — arrival (ms) + floor(maxWait × u / (u + scale)), u = decayed usage / weight,
    // decayed usage = Σ day bucket × 2^(−age / halfLife), age from the middle of the day (today: of its past part).
    private const string JoinLua = """
        local function daystart(y, m, d)
          if m <= 2 then y = y - 1 end
          local era = math.floor(y / 400)
          local yoe = y - era * 400
          local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1
          local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
          return (era * 146097 + doe - 719468) * 86400000
        end
        local function priority(now)
          local fields = redis.call('HGETALL', KEYS[7])
          local halfLife = tonumber(ARGV[7])
          local total = 0
          for i = 1, #fields, 2 do
            local y, m, d = string.match(fields[i], '^(%d+)-(%d+)-(%d+)|')
            if y then
              local start = daystart(tonumber(y), tonumber(m), tonumber(d))
              local middle = start + (math.min(now, start + 86400000) - start) / 2
              total = total + tonumber(fields[i + 1]) * 2 ^ (-math.max(0, now - middle) / halfLife)
            end
          end
          local u = math.max(0, total) / tonumber(ARGV[8])
          if u <= 0 then return now end
          return now + math.floor(tonumber(ARGV[10]) * (u / (u + tonumber(ARGV[9]))))
        end
        local function join()
          redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
          local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
          if rank then return rank, 0 end
          local ticket = redis.call('INCR', KEYS[3])
          local score = ticket
          if ARGV[6] == '1' then score = string.format('%.4f', priority(tonumber(ARGV[3])) + (ticket % 1024) / 1024) end
          redis.call('ZADD', KEYS[1], score, ARGV[1])
          redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
          record(KEYS[5], KEYS[6], ARGV[5], ARGV[3], ARGV[4], 'null', 'null')
          return redis.call('ZRANK', KEYS[1], ARGV[1]), 1
        end

        """;

    private const string EnqueueScript = SessionEventLog.AppendLua + JoinLua + """
        local rank, joined = join()
        return { rank, joined }
        """;

    // The join layout plus KEYS: 8 session, 9 allocation lock; ARGV: 11 allocating event head, 12 the rank below which the
    // person may allocate now, 13 lock token, 14 lock lifetime (ms).
    // Returns { 'bound', session fields } | { 'queued' | 'locked' | 'peer', rank, joined }.
    private const string AdmitScript = SessionEventLog.AppendLua + JoinLua + """
        local runtime = redis.call('HGET', KEYS[8], 'runtime')
        if runtime and runtime ~= '' and redis.call('HGET', KEYS[8], 'target') then
          return { 'bound', redis.call('HGETALL', KEYS[8]) }
        end
        local rank, joined = join()
        if rank >= tonumber(ARGV[12]) then return { 'queued', rank, joined } end
        if not redis.call('SET', KEYS[9], ARGV[13], 'NX', 'PX', ARGV[14]) then return { 'peer', rank, joined } end
        record(KEYS[5], KEYS[6], ARGV[5], ARGV[3], ARGV[11], 'null', 'null')
        return { 'locked', rank, joined }
        """;

    // KEYS: queue, queue:seen, queue:joined, events, events:seq; ARGV: user, now (s), score (ms), head, cap
    private const string LeaveQueueScript = SessionEventLog.AppendLua + """
        redis.call('ZREM', KEYS[2], ARGV[1])
        local joined = redis.call('ZSCORE', KEYS[3], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
        record(KEYS[4], KEYS[5], ARGV[5], ARGV[3], ARGV[4], seconds(joined, ARGV[2]), 'null')
        return 1
        """;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Puts the person in line if not there yet (event: queued) and returns their 0-based position.</summary>
    public async Task<long> EnqueueAsync(string user) => (await JoinQueueAsync(user)).Position;

    /// <summary>As <see cref="EnqueueAsync"/>, also saying whether the person just joined (the queued transition).</summary>
    public async Task<(long Position, bool Joined)> JoinQueueAsync(string user)
    {
        var (joinKeys, args) = JoinArguments(user, time.GetUtcNow(), fleet);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(EnqueueScript, joinKeys, args))!;
        return ((long)result[0], (long)result[1] == 1);
    }

    /// <summary>
    /// One round trip before asking Agones (event: queued when the person joins, allocating when they take the lock):
    /// the person's session if they have one; else their place in line (joining it if new), and — when their 0-based rank
    /// is below <paramref name="admitBelow"/> — the allocation lock with <paramref name="token"/>. <paramref name="forFleet"/>
    /// is the Fleet the events name (the line's own by default).
    /// </summary>
    public async Task<Admission> AdmitAsync(string user, string token, TimeSpan lockTtl, long admitBelow, string? forFleet = null)
    {
        var now = time.GetUtcNow();
        var name = forFleet ?? fleet;
        var (joinKeys, args) = JoinArguments(user, now, name);
        RedisKey[] admitKeys = [.. joinKeys, SessionKeys.Session(user), SessionKeys.AllocationLock(user)];
        RedisValue[] admitArgs = [.. args, SessionEventLog.Head(SessionState.Allocating, user, null, name, profile, null, now), admitBelow, token, (long)lockTtl.TotalMilliseconds];
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AdmitScript, admitKeys, admitArgs))!;
        var kind = (string)result[0]!;
        if (kind == "bound")
        {
            var fields = (RedisResult[])result[1]!;
            var entries = new HashEntry[fields.Length / 2];
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i] = new HashEntry((string)fields[2 * i]!, (string)fields[2 * i + 1]!);
            }

            return new Admission(AdmissionResult.Bound, SessionStore.Parse(user, entries), -1, false);
        }

        var outcome = kind switch
        {
            "queued" => AdmissionResult.Queued,
            "locked" => AdmissionResult.Locked,
            "peer" => AdmissionResult.PeerHolds,
            _ => throw new InvalidOperationException($"The admission script answered '{kind}'."),
        };
        return new Admission(outcome, null, (long)result[1], (long)result[2] == 1);
    }

    private (RedisKey[] Keys, RedisValue[] Args) JoinArguments(string user, DateTimeOffset now, string fleetName)
    {
        var terms = order?.TermsFor(user);
        RedisKey[] joinKeys = [keys.Queue, keys.Seen, keys.Sequence, keys.Joined, SessionKeys.Events,
            SessionKeys.EventsSequence, terms?.UsageKey ?? keys.Queue]; // without fair share the 7th key is never read
        RedisValue[] args = [user, CacheTime.Seconds(now), now.ToUnixTimeMilliseconds(), SessionEventLog.Head(SessionState.Queued, user, null, fleetName, profile, null, now),
            eventLogLength, terms is null ? "" : "1", terms?.HalfLife.TotalMilliseconds ?? 0, terms?.Weight ?? 1, terms?.UsageScale.TotalSeconds ?? 0,
            terms?.MaxWaitBehindLater.TotalMilliseconds ?? 0];
        return (joinKeys, args);
    }

    /// <summary>How many people are waiting now (one ZCARD).</summary>
    public Task<long> CountAsync() => Db.SortedSetLengthAsync(keys.Queue);

    /// <summary>The person's 0-based rank in the line (null when not in it); people read it 1-based (<c>AllocationOutcome.PositionOf</c>).</summary>
    public async Task<long?> RankAsync(string user) => await Db.SortedSetRankAsync(keys.Queue, user);

    /// <summary>Takes the person out of the line (event: released, left_queue); false when they were not in it.</summary>
    public async Task<bool> LeaveQueueAsync(string user)
    {
        var now = time.GetUtcNow();
        return (int)await Db.ScriptEvaluateAsync(LeaveQueueScript,
            [keys.Queue, keys.Seen, keys.Joined, SessionKeys.Events, SessionKeys.EventsSequence],
            [user, CacheTime.Seconds(now), now.ToUnixTimeMilliseconds(), SessionEventLog.Head(SessionState.Released, user, null, fleet, profile, ReleaseReason.LeftQueue, now), eventLogLength]) == 1;
    }

    public async Task<IReadOnlyList<string>> QueueAsync(int limit = 1000) =>
        (await Db.SortedSetRangeByRankAsync(keys.Queue, 0, limit - 1)).Select(v => (string)v!).ToList();

    /// <summary>Drops queue entries of people who stopped asking before <paramref name="before"/> (they left the page).</summary>
    public async Task<int> DropStaleQueueEntriesAsync(DateTimeOffset before)
    {
        var dropped = 0;
        foreach (var user in await StaleQueueEntriesAsync(before))
        {
            dropped += await LeaveQueueAsync(user) ? 1 : 0;
        }

        return dropped;
    }

    /// <summary>People in line whose last request was before <paramref name="before"/>.</summary>
    public async Task<IReadOnlyList<string>> StaleQueueEntriesAsync(DateTimeOffset before) =>
        (await Db.SortedSetRangeByScoreAsync(keys.Seen, double.NegativeInfinity, CacheTime.Seconds(before))).Select(v => (string)v!).ToList();
}
