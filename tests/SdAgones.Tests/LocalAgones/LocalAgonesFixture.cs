using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.LocalAgones;

/// <summary>One LocalAgones with a Buffer of 2 (up to 6 runtimes) shared by a test class.</summary>
public sealed class LocalAgonesFixture : IAsyncLifetime
{
    public LocalAgonesHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await LocalAgonesHost.StartAsync(buffer: 2, max: 6);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
