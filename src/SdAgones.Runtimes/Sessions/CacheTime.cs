namespace SdAgones.Runtimes.Sessions;

/// <summary>How the cache stores instants: seconds since the Unix epoch with millisecond precision, as sorted-set scores.</summary>
internal static class CacheTime
{
    public static double Seconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;

    public static DateTimeOffset FromSeconds(double seconds) => DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
}
