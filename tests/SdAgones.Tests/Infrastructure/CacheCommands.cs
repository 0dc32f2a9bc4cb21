using System.Globalization;
using StackExchange.Redis;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// The commands a Redis-protocol server received, per command, from its own <c>INFO COMMANDSTATS</c> (embedded Garnet
/// counts them with <c>CommandStatsMonitor</c>): what a path costs in round trips, counted by the server, not by us.
/// Commands a script runs inside the server are not counted (one <c>EVALSHA</c> is one round trip).
/// </summary>
internal sealed class CacheCommands(IReadOnlyDictionary<string, long> calls)
{
    /// <summary>What the measuring itself and the client's keep-alives send; never a path's own work.</summary>
    private static readonly HashSet<string> NotCounted = new(StringComparer.Ordinal) { "info", "ping", "echo" };

    public IReadOnlyDictionary<string, long> Calls => calls;

    public static async Task<CacheCommands> ReadAsync(IConnectionMultiplexer redis)
    {
        var server = redis.GetServers().Single();
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var pair in group)
            {
                // cmdstat_evalsha: calls=3,usec=0,...
                if (pair.Key.StartsWith("cmdstat_", StringComparison.Ordinal)
                    && pair.Value.Split(',').FirstOrDefault(p => p.StartsWith("calls=", StringComparison.Ordinal)) is { } count)
                {
                    calls[pair.Key["cmdstat_".Length..]] = long.Parse(count["calls=".Length..], CultureInfo.InvariantCulture);
                }
            }
        }

        if (calls.Count == 0)
        {
            throw new InvalidOperationException("The cache server reports no command statistics (INFO COMMANDSTATS is empty or disabled).");
        }

        return new CacheCommands(calls);
    }

    /// <summary>The commands received since <paramref name="before"/>, by name (scripts as <c>script</c>), without the measuring's own.</summary>
    public SortedDictionary<string, long> Since(CacheCommands before)
    {
        var spent = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, count) in calls)
        {
            var delta = count - before.Calls.GetValueOrDefault(name);
            if (delta > 0 && !NotCounted.Contains(name))
            {
                var key = name is "eval" or "evalsha" ? "script" : name;
                spent[key] = spent.GetValueOrDefault(key) + delta;
            }
        }

        return spent;
    }

    /// <summary>A readable form for assertion messages: <c>hgetall=1 script=2</c>.</summary>
    public static string Describe(IReadOnlyDictionary<string, long> spent) =>
        spent.Count == 0 ? "(none)" : string.Join(' ', spent.Select(p => $"{p.Key}={p.Value}"));
}
