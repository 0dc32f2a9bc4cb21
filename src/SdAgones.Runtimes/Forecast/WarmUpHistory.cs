using System.Globalization;
using StackExchange.Redis;

namespace SdAgones.Runtimes.Forecast;

/// <summary>
/// Measured warm-up times per Fleet: from a GameServer's creation (its <c>metadata.creationTimestamp</c>) to the moment
/// a watcher saw it turn Ready. Kept in the cache, the newest <see cref="Kept"/> per Fleet, one entry per GameServer
/// (several cruiser replicas may see the same one; the first note wins), so every replica answers from the same figures.
/// </summary>
public sealed class WarmUpHistory(IConnectionMultiplexer redis)
{
    public const int Kept = 20;

    // KEYS: seconds hash, order zset; ARGV: gameserver, seconds, ready-at (ms), kept
    private const string NoteScript = """
        if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        local old = redis.call('ZRANGE', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
        for _, name in ipairs(old) do redis.call('HDEL', KEYS[1], name) end
        redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
        return 1
        """;

    public static string SecondsKey(string fleet) => "sd:forecast:warmup:" + fleet;

    public static string OrderKey(string fleet) => "sd:forecast:warmup:order:" + fleet;

    /// <summary>Notes one GameServer's warm-up; false when it was noted already.</summary>
    public async Task<bool> NoteAsync(string fleet, string gameServer, DateTimeOffset created, DateTimeOffset ready) =>
        ready > created && (int)await redis.GetDatabase().ScriptEvaluateAsync(NoteScript, [SecondsKey(fleet), OrderKey(fleet)],
            [gameServer, (ready - created).TotalSeconds.ToString("R", CultureInfo.InvariantCulture), ready.ToUnixTimeMilliseconds(), Kept]) == 1;

    /// <summary>
    /// The warm-up to plan with once at least <paramref name="needed"/> are measured: the 90th percentile (nearest rank)
    /// of the newest ones, so a slow start now and then is covered; null before that.
    /// </summary>
    public async Task<TimeSpan?> MeasuredAsync(string fleet, int needed)
    {
        var seconds = (await redis.GetDatabase().HashValuesAsync(SecondsKey(fleet))).Select(v => (double)v).Order().ToList();
        if (seconds.Count < needed || seconds.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(0.9 * seconds.Count) - 1;
        return TimeSpan.FromSeconds(seconds[Math.Clamp(rank, 0, seconds.Count - 1)]);
    }
}
