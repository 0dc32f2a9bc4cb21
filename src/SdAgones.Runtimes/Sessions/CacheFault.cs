using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// What "the cache failed" means to callers: connection errors (<see cref="RedisException"/>) and timeouts
/// (<see cref="RedisTimeoutException"/>, which derives from <see cref="TimeoutException"/>, not from RedisException).
/// </summary>
public static class CacheFault
{
    public static bool Is(Exception exception) => exception is RedisException or RedisTimeoutException;
}
