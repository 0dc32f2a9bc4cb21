using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// Folds the session event log into counters exactly once, from any process: usage and the arrival forecast both read
/// the log this way. Each batch is one script guarded by a cursor (the last folded event's sequence number), so
/// processes may fold side by side, reruns add nothing twice, and deleting the counters rebuilds them from the log.
/// </summary>
public sealed class SessionEventFold(IConnectionMultiplexer redis, SessionEventLog events, TimeProvider time, string cursorKey, string indexKey)
{
    private long lastFoldTicks;

    private const int BatchSize = 500;
    private const int ReadLimit = 5_000;

    /// <summary>Events of other processes may carry a slightly earlier time than the cursor's; they are read again this far back.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(10);

    // KEYS: cursor, index, then one hash per increment; ARGV: expected seq, new seq, new at (ms), then (field, amount) per increment
    private const string FoldScript = """
        local seq = redis.call('HGET', KEYS[1], 'seq') or '0'
        if seq ~= ARGV[1] then return 0 end
        for i = 3, #KEYS do
          local a = 4 + (i - 3) * 2
          redis.call('HINCRBYFLOAT', KEYS[i], ARGV[a], ARGV[a + 1])
          redis.call('SADD', KEYS[2], KEYS[i])
        end
        redis.call('HSET', KEYS[1], 'seq', ARGV[2], 'at', ARGV[3])
        return 1
        """;

    /// <summary>One counter change an event makes: <paramref name="Amount"/> added to field <paramref name="Field"/> of hash <paramref name="Key"/>.</summary>
    public readonly record struct Increment(string Key, string Field, double Amount);

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// True, and counted as a fold, unless this process folded less than <paramref name="notWithin"/> ago: hot paths fold
    /// through it, so their cost stays one cursor read at most per interval, whatever the traffic.
    /// </summary>
    public bool IsDue(TimeSpan notWithin)
    {
        var now = time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref lastFoldTicks);
        return now - last >= notWithin.Ticks && Interlocked.CompareExchange(ref lastFoldTicks, now, last) == last;
    }

    /// <summary>
    /// Applies <paramref name="increments"/> of every event not yet folded; <paramref name="before"/> runs once per batch
    /// before its script (for idempotent side notes), <paramref name="folded"/> once per batch this process folded.
    /// Returns how many events were folded.
    /// </summary>
    public async Task<int> FoldAsync(
        Func<SessionEvent, IEnumerable<Increment>> increments,
        Func<IReadOnlyList<SessionEvent>, Task>? before = null,
        Action<IReadOnlyList<SessionEvent>>? folded = null)
    {
        Interlocked.Exchange(ref lastFoldTicks, time.GetUtcNow().UtcTicks);
        var count = 0;
        while (true)
        {
            var cursor = await Db.HashGetAllAsync(cursorKey);
            var seq = cursor.FirstOrDefault(e => e.Name == "seq").Value is { IsNull: false } s ? (long)s : 0L;
            var at = cursor.FirstOrDefault(e => e.Name == "at").Value is { IsNull: false } a ? (long)a : 0L;
            var since = seq == 0 ? (DateTimeOffset?)null : DateTimeOffset.FromUnixTimeMilliseconds(at) - ClockSkew;
            var read = await events.ReadAsync(since, until: null, ReadLimit);
            if (read.Count == ReadLimit && read.All(e => e.Seq <= seq))
            {
                read = await events.ReadAsync(DateTimeOffset.FromUnixTimeMilliseconds(at), until: null, ReadLimit); // a crowded look-back
            }

            var batch = read.Where(e => e.Seq > seq).OrderBy(e => e.Seq).Take(BatchSize).ToList();
            if (batch.Count == 0)
            {
                return count;
            }

            if (before is not null)
            {
                await before(batch);
            }

            var keys = new List<RedisKey> { cursorKey, indexKey };
            var args = new List<RedisValue> { seq, batch[^1].Seq, batch[^1].At.ToUnixTimeMilliseconds() };
            foreach (var increment in batch.SelectMany(increments))
            {
                keys.Add(increment.Key);
                args.Add(increment.Field);
                args.Add(increment.Amount.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }

            if ((int)await Db.ScriptEvaluateAsync(FoldScript, [.. keys], [.. args]) == 1)
            {
                count += batch.Count;
                folded?.Invoke(batch);
            }

            // else another process folded this batch first: read the cursor again
        }
    }

    /// <summary>Forgets every counter this fold wrote and its cursor, so the next <see cref="FoldAsync"/> starts from the log's oldest event.</summary>
    public async Task ForgetAsync(params RedisKey[] alsoForget)
    {
        var keys = (await Db.SetMembersAsync(indexKey)).Select(k => (RedisKey)(string)k!).ToList();
        keys.Add(indexKey);
        keys.Add(cursorKey);
        keys.AddRange(alsoForget);
        await Db.KeyDeleteAsync([.. keys]);
    }
}
