using System.Net;
using Microsoft.Extensions.Options;

namespace SdAgones.CacheServer;

/// <summary>Runs <see cref="EmbeddedGarnet"/> for the lifetime of the process.</summary>
internal sealed partial class GarnetHost(IOptions<CacheServerOptions> options, ILogger<GarnetHost> logger) : IHostedService, IDisposable
{
    private EmbeddedGarnet? garnet;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!IPAddress.TryParse(settings.Bind, out var address))
        {
            throw new InvalidOperationException($"Cache:Bind must be an IP address, got '{settings.Bind}'.");
        }

        garnet = new EmbeddedGarnet(address, settings.Port);
        garnet.Start();
        LogListening(settings.Bind, settings.Port);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        garnet?.Dispose();
        garnet = null;
        return Task.CompletedTask;
    }

    public void Dispose() => garnet?.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Garnet (Redis protocol) listening on {Bind}:{Port}")]
    private partial void LogListening(string bind, int port);
}
