using System.Net;
using Garnet;
using Garnet.server;

namespace SdAgones.CacheServer;

/// <summary>
/// A Garnet server with Lua scripting on (the session store's atomic changes are scripts), in memory only:
/// a restart starts empty, exactly the "cache data loss" the platform must survive.
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
        };
        options.LuaOptions = new LuaOptions(null); // required with EnableLua, or the constructor throws
        server = new GarnetServer(options);
        Port = port;
    }

    public int Port { get; }

    public void Start() => server.Start();

    public void Dispose() => server.Dispose();
}
