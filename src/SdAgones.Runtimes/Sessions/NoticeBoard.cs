using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>One message per person for their next page (why their runtime was given back), kept for ten minutes.</summary>
public sealed class NoticeBoard(IConnectionMultiplexer redis)
{
    private IDatabase Db => redis.GetDatabase();

    /// <summary>A message for the person's next page ("your runtime was restarted"), kept for a while.</summary>
    public Task SetAsync(string user, string notice) =>
        Db.StringSetAsync(SessionKeys.Notice(user), notice, TimeSpan.FromMinutes(10));

    public async Task<string?> TakeAsync(string user) => await Db.StringGetDeleteAsync(SessionKeys.Notice(user));

    public async Task<string?> PeekAsync(string user) => await Db.StringGetAsync(SessionKeys.Notice(user));
}
