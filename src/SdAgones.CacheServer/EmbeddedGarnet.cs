using System.Net;
using Garnet;
using Garnet.server;

namespace SdAgones.CacheServer;

/// <summary>
/// A Garnet server with Lua scripting on (the session store's atomic changes are scripts), in memory only:
/// a restart starts empty, exactly the "cache data loss" the platform must survive. Counts commands per kind
/// (<c>INFO COMMANDSTATS</c>), as Redis does, so the cache cost of a path can be measured.
/// </summary>
public sealed class EmbeddedGarnet : IDisposable
{
    private readonly GarnetServer server;

    public EmbeddedGarnet(IPAddress address, int port)
    {
        var options = new GarnetServerOptions
        {
            EndPoints = [new IPEndPoint(address, port)],
            EnableLua = true,
            QuietMode = true,
            CommandStatsMonitor = true, // INFO COMMANDSTATS: how many commands each path costs (tests and bench count them)
        };
        options.LuaOptions = new LuaOptions(null); // required with EnableLua, or the constructor throws
        server = new GarnetServer(options);
        Port = port;
    }

    public int Port { get; }

    public void Start() => server.Start();

    public void Dispose() => server.Dispose();
}
