using System.Net;
using SdAgones.CacheServer;
using StackExchange.Redis;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// The Redis-protocol servers store tests run against: embedded Garnet always, and the real Redis named by
/// <c>SDAGONES_TEST_REDIS=host:port</c> when set (CI starts Debian's redis-server for it).
/// </summary>
public sealed class RedisBackends : IDisposable
{
    public const string ExternalVariable = "SDAGONES_TEST_REDIS";
    private readonly EmbeddedGarnet garnet;
    private readonly Dictionary<string, ConnectionMultiplexer> connections = new();

    public RedisBackends()
    {
        garnet = StartGarnet();
        GarnetEndpoint = $"127.0.0.1:{garnet.Port}";
    }

    public string GarnetEndpoint { get; }

    /// <summary>An embedded Garnet started on a fresh port (picked again if another process took it first).</summary>
    public static EmbeddedGarnet StartGarnet() => FreePort.Bind(port =>
    {
        var server = new EmbeddedGarnet(IPAddress.Loopback, port);
        try
        {
            server.Start();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    });

    public static IEnumerable<object[]> Names()
    {
        yield return ["garnet"];
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ExternalVariable)))
        {
            yield return ["redis"];
        }
    }

    /// <summary>A connection to the named backend, with its data wiped so each test starts clean.</summary>
    public async Task<IConnectionMultiplexer> ConnectCleanAsync(string name)
    {
        if (!connections.TryGetValue(name, out var connection))
        {
            var endpoint = name == "garnet" ? GarnetEndpoint : Environment.GetEnvironmentVariable(ExternalVariable)!;
            connection = await ConnectionMultiplexer.ConnectAsync($"{endpoint},allowAdmin=true,abortConnect=false");
            connections[name] = connection;
        }

        foreach (var server in connection.GetServers())
        {
            await server.FlushAllDatabasesAsync();
        }

        return connection;
    }

    public void Dispose()
    {
        foreach (var connection in connections.Values)
        {
            connection.Dispose();
        }

        garnet.Dispose();
    }
}
