using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace SdAgones.Bench;

/// <summary><c>--name value</c> pairs.</summary>
internal sealed class BenchArgs(Dictionary<string, string> values)
{
    public static BenchArgs Parse(IEnumerable<string> args)
    {
        var list = args.ToList();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].StartsWith("--", StringComparison.Ordinal))
            {
                var hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
                values[list[i][2..]] = hasValue ? list[++i] : "true";
            }
        }

        return new BenchArgs(values);
    }

    public string? Get(string name) => values.TryGetValue(name, out var v) ? v : null;

    public string Require(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}

internal static class Json
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}

internal static class Stats
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Count - 1)], 3);
    }
}

internal static class Http
{
    public const string UserHeader = "X-SdAgones-Dev-User";

    public static HttpClient Client(int timeoutSeconds = 30) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        MaxConnectionsPerServer = 512,
    })
    { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };

    public static HttpRequestMessage Get(string url, string? user)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        if (user is not null)
        {
            request.Headers.TryAddWithoutValidation(UserHeader, user);
        }

        return request;
    }

    /// <summary>Asks until the person's runtime answers 200 (503 = waiting room).</summary>
    public static async Task<bool> UntilServedAsync(HttpClient http, string gateway, string user, TimeSpan limit, TimeSpan pause)
    {
        var until = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            using var response = await http.SendAsync(Get(gateway + "/sdapi/v1/options", user));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return true;
            }

            await Task.Delay(pause);
        }

        return false;
    }

    public static async Task ReleaseAsync(HttpClient http, string gateway, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway + "/_sd/api/session/release");
        request.Headers.TryAddWithoutValidation(UserHeader, user);
        using var _ = await http.SendAsync(request);
    }
}

/// <summary>The GameServers LocalAgones (or Agones) knows, as the Kubernetes API lists them.</summary>
internal sealed record Server(string Name, string State, string? User);

internal static class Agones
{
    public static async Task<List<Server>> ListAsync(HttpClient http, string apiServer)
    {
        var body = await http.GetStringAsync(apiServer + "/apis/agones.dev/v1/namespaces/default/gameservers");
        var items = JsonNode.Parse(body)?["items"]?.AsArray() ?? [];
        return items.Select(i => new Server(
            (string?)i?["metadata"]?["name"] ?? "",
            (string?)i?["status"]?["state"] ?? "",
            (string?)i?["metadata"]?["annotations"]?[AgonesApi.UserAnnotation])).ToList();
    }

    public static async Task<int> WaitReadyAsync(HttpClient http, string apiServer, int atLeast, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        var ready = 0;
        while (DateTime.UtcNow < until)
        {
            ready = (await ListAsync(http, apiServer)).Count(s => s.State == "Ready");
            if (ready >= atLeast)
            {
                return ready;
            }

            await Task.Delay(50);
        }

        return ready;
    }
}

internal static class Cache
{
    public static Task<ConnectionMultiplexer> ConnectAsync(string endpoint) =>
        ConnectionMultiplexer.ConnectAsync($"{endpoint},allowAdmin=true,abortConnect=false,syncTimeout=30000,asyncTimeout=30000");

    /// <summary>
    /// Commands the server received, by name, from <c>INFO COMMANDSTATS</c> (Garnet with <c>CommandStatsMonitor</c>, or
    /// Redis); a script's own inner commands are not in it, so this counts round trips. The measuring's own INFO, and
    /// the clients' keep-alive PING/ECHO, are left out.
    /// </summary>
    public static async Task<Dictionary<string, long>> CommandCountsAsync(IServer server)
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in await server.InfoAsync("commandstats"))
        {
            foreach (var pair in group)
            {
                if (pair.Key.StartsWith("cmdstat_", StringComparison.Ordinal) && pair.Key is not ("cmdstat_info" or "cmdstat_ping" or "cmdstat_echo")
                    && pair.Value.Split(',').FirstOrDefault(p => p.StartsWith("calls=", StringComparison.Ordinal)) is { } count)
                {
                    calls[pair.Key["cmdstat_".Length..]] = long.Parse(count["calls=".Length..], CultureInfo.InvariantCulture);
                }
            }
        }

        return calls.Count > 0 ? calls : throw new InvalidOperationException("the cache reports no INFO COMMANDSTATS (Garnet needs CommandStatsMonitor)");
    }

    /// <summary>What was received between two <see cref="CommandCountsAsync"/> readings, by name.</summary>
    public static SortedDictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after)
    {
        var delta = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, count) in after)
        {
            if (count - before.GetValueOrDefault(name) is > 0 and var d)
            {
                delta[name] = d;
            }
        }

        return delta;
    }
}

internal static class Proc
{
    /// <summary>Resident set size in MiB, from /proc (the working set on Linux).</summary>
    public static double RssMiB(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                return Math.Round(kb / 1024.0, 1);
            }
        }

        return double.NaN;
    }
}
