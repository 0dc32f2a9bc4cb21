using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>How the waiting line orders people who join it; null keeps the line first come, first served.</summary>
public interface IWaitingOrder
{
    /// <summary>The person's place in line as a score (lower is served first), or null for FIFO by ticket.</summary>
    Task<double?> ScoreAsync(string user, DateTimeOffset arrival);
}

/// <summary>
/// The waiting line in the cache, with each person's last request (to drop those who left the page) and when they
/// joined (for the time waited). FIFO by ticket; with an <see cref="IWaitingOrder"/> that scores (fair share), by that
/// score fixed at joining, ties in one millisecond kept in arrival order by the ticket. Either way a join, a position
/// and the first in line are single sorted-set operations, so their cost does not grow with the line.
/// Joining and leaving append their session events in the same script.
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

    // KEYS: queue, queue:seen, queue:seq, queue:joined, events, events:seq; ARGV: user, now (s), score (ms), head, cap, order score or ''
    private const string EnqueueScript = SessionEventLog.AppendLua + """
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        local rank = redis.call('ZRANK', KEYS[1], ARGV[1])
        if rank then return { rank, 0 } end
        local ticket = redis.call('INCR', KEYS[3])
        local score = ticket
        if ARGV[6] ~= '' then score = string.format('%.4f', tonumber(ARGV[6]) + (ticket % 1024) / 1024) end
        redis.call('ZADD', KEYS[1], score, ARGV[1])
        redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
        record(KEYS[5], KEYS[6], ARGV[5], ARGV[3], ARGV[4], 'null', 'null')
        return { redis.call('ZRANK', KEYS[1], ARGV[1]), 1 }
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
        var now = time.GetUtcNow();
        var score = order is null ? null : await order.ScoreAsync(user, now);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(EnqueueScript,
            [keys.Queue, keys.Seen, keys.Sequence, keys.Joined, SessionKeys.Events, SessionKeys.EventsSequence],
            [user, CacheTime.Seconds(now), now.ToUnixTimeMilliseconds(), SessionEventLog.Head(SessionState.Queued, user, null, fleet, profile, null, now), eventLogLength,
                score is { } s ? s.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : ""]))!;
        return ((long)result[0], (long)result[1] == 1);
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
