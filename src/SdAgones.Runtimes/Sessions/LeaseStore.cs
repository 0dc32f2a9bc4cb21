using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// The cruiser's coordination marks in the cache: leases (one active replica) and the epoch mark whose absence says
/// the cache lost its data.
/// </summary>
public sealed class LeaseStore(IConnectionMultiplexer redis)
{
    private const string UnlockScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
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

    /// <summary>Takes or renews a lease; true while <paramref name="holder"/> holds it.</summary>
    public async Task<bool> TryHoldLeaseAsync(string name, string holder, TimeSpan ttl) =>
        (int)await Db.ScriptEvaluateAsync(RenewLeaseScript, [SessionKeys.Lease(name)],
            [holder, (long)ttl.TotalMilliseconds]) == 1;

    public async Task ReleaseLeaseAsync(string name, string holder) =>
        await Db.ScriptEvaluateAsync(UnlockScript, [SessionKeys.Lease(name)], [holder]);

    /// <summary>Marks the cache as holding the platform's data; a cache that lost its data (flush, restart) lacks the mark.</summary>
    public Task<bool> MarkEpochAsync(string epoch) => Db.StringSetAsync(SessionKeys.Epoch, epoch, when: When.NotExists);

    public async Task<string?> EpochAsync() => await Db.StringGetAsync(SessionKeys.Epoch);
}
