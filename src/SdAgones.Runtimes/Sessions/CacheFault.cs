using StackExchange.Redis;

namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// What "the cache failed" means to callers: connection errors (<see cref="RedisException"/>), timeouts
/// (<see cref="RedisTimeoutException"/>, which derives from <see cref="TimeoutException"/>, not from RedisException),
/// and the client's own connection tearing down under a command — StackExchange.Redis 2.13 can surface that as a bare
/// <see cref="InvalidOperationException"/> ("Reading is not allowed after reader was completed", from
/// System.IO.Pipelines; https://github.com/StackExchange/StackExchange.Redis/issues/3085) or an
/// <see cref="IOException"/>/<see cref="ObjectDisposedException"/> thrown from inside the client.
/// </summary>
public static class CacheFault
{
    public static bool Is(Exception exception) => exception switch
    {
        RedisException or RedisTimeoutException => true,
        InvalidOperationException or IOException or ObjectDisposedException => FromCacheClient(exception),
        AggregateException { InnerExceptions.Count: 1 } aggregate => Is(aggregate.InnerExceptions[0]),
        _ => false,
    };

    /// <summary>True when the exception was thrown inside the cache client or the pipe it reads from.</summary>
    private static bool FromCacheClient(Exception exception) =>
        exception.StackTrace is { } trace
        && (trace.Contains("StackExchange.Redis.", StringComparison.Ordinal) || trace.Contains("System.IO.Pipelines.", StringComparison.Ordinal));
}
