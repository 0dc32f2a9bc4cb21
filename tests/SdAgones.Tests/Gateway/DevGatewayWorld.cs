using SdAgones.Tests.Faults;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>A gateway in development identity mode with real Garnet and LocalAgones, shared by one test class.</summary>
public sealed class DevGatewayWorld : IAsyncLifetime
{
    public FaultWorld World { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        World = await FaultWorld.StartAsync(buffer: 2, max: 4);
        Gateway = await World.StartGatewayAsync();
    }

    public async Task DisposeAsync() => await World.DisposeAsync();
}
