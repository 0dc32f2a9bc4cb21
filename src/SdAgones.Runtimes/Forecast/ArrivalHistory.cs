using System.Globalization;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Runtimes.Forecast;

/// <summary>
/// Arrivals per Fleet in 15-minute buckets, folded from the session events (each <c>queued</c> event is one person
/// arriving) the way usage is folded (<see cref="SessionEventFold"/>): one hash per Fleet and UTC day, a field per
/// bucket. A read touches only the buckets asked for, so its cost does not grow with the history or the traffic.
/// </summary>
public sealed class ArrivalHistory(IConnectionMultiplexer redis, SessionEventLog events, TimeProvider time, string defaultFleet)
{
    public const string Cursor = "sd:forecast:cursor";
    public const string Index = "sd:forecast:keys";

    /// <summary>Per Fleet, the time of the first arrival folded (ms): days before it are unknown, not empty.</summary>
    public const string Since = "sd:forecast:since";

    public static readonly TimeSpan Bucket = TimeSpan.FromMinutes(15);
    public const int BucketsPerDay = 96;

    private readonly SessionEventFold fold = new(redis, events, time, Cursor, Index);

    public static string DayKey(string fleet, long day) => $"sd:forecast:arrivals:{fleet}:{day.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The bucket an instant falls in, counted from the Unix epoch.</summary>
    public static long BucketOf(DateTimeOffset at) => (long)Math.Floor(at.ToUnixTimeMilliseconds() / Bucket.TotalMilliseconds);

    public static DateTimeOffset StartOf(long bucket) => DateTimeOffset.FromUnixTimeMilliseconds((long)(bucket * Bucket.TotalMilliseconds));

    public string FleetOf(SessionEvent e) => e.Fleet is { Length: > 0 } fleet ? fleet : defaultFleet;

    /// <summary>Folds the arrivals not yet counted, unless this process folded less than <paramref name="notWithin"/> ago.</summary>
    public Task<int> FoldAsync(TimeSpan notWithin) => fold.IsDue(notWithin) ? FoldAsync() : Task.FromResult(0);

    /// <summary>Counts every arrival not yet counted; returns how many events were folded.</summary>
    public Task<int> FoldAsync() => fold.FoldAsync(Increments, before: NoteFirstArrivalsAsync);

    /// <summary>Forgets the counts and folds the whole event log again.</summary>
    public async Task<int> RebuildAsync()
    {
        await fold.ForgetAsync(Since);
        return await FoldAsync();
    }

    /// <summary>When the Fleet's history starts (its first arrival folded), or null when it has none.</summary>
    public async Task<DateTimeOffset?> SinceAsync(string fleet) =>
        await redis.GetDatabase().HashGetAsync(Since, fleet) is { IsNull: false } ms ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : null;

    /// <summary>Arrivals in each of <paramref name="buckets"/> (absent buckets are 0), one HMGET per UTC day, pipelined.</summary>
    public async Task<IReadOnlyDictionary<long, double>> CountsAsync(string fleet, IEnumerable<long> buckets)
    {
        var db = redis.GetDatabase();
        var reads = buckets.Distinct().GroupBy(b => Math.DivRem(b, BucketsPerDay).Quotient)
            .Select(async day =>
            {
                var cells = day.ToArray();
                var values = await db.HashGetAsync(DayKey(fleet, day.Key), cells.Select(b => (RedisValue)(b % BucketsPerDay)).ToArray());
                return cells.Select((b, i) => (Bucket: b, Count: values[i].IsNull ? 0 : (double)values[i]));
            })
            .ToList();
        var counts = new Dictionary<long, double>();
        foreach (var (bucket, count) in (await Task.WhenAll(reads)).SelectMany(r => r))
        {
            counts[bucket] = count;
        }

        return counts;
    }

    private IEnumerable<SessionEventFold.Increment> Increments(SessionEvent e)
    {
        if (e.State == SessionEvent.Name(SessionState.Queued))
        {
            var bucket = BucketOf(e.At);
            yield return new(DayKey(FleetOf(e), bucket / BucketsPerDay), (bucket % BucketsPerDay).ToString(CultureInfo.InvariantCulture), 1);
        }
    }

    // Before the batch's counts: a start that is early is harmless (its arrival is folded by whoever wins the batch).
    private async Task NoteFirstArrivalsAsync(IReadOnlyList<SessionEvent> batch)
    {
        var db = redis.GetDatabase();
        foreach (var first in batch.Where(e => e.State == SessionEvent.Name(SessionState.Queued)).GroupBy(FleetOf).Select(g => g.MinBy(e => e.At)!))
        {
            await db.HashSetAsync(Since, FleetOf(first), first.At.ToUnixTimeMilliseconds(), When.NotExists);
        }
    }
}
