using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Platform;

/// <summary>
/// The whole platform through the Aspire testing host, started once for the collection: embedded Garnet,
/// LocalAgones with real runtime processes, two gateway instances behind the orchestrator's proxy, the cruiser.
/// Ports are picked by the orchestrator, never the fixed ones people use.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public const int FleetMax = 4;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private readonly string storage = Directory.CreateTempSubdirectory("sdagones-platform-").FullName;

    public DistributedApplication App { get; private set; } = null!;
    public LocalAgonesClient Agones { get; private set; } = null!;
    public Uri GatewayUrl { get; private set; } = null!;

    /// <summary>The platform's cache, for resetting and checking what tests leave behind.</summary>
    public IConnectionMultiplexer Cache { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SdAgones_AppHost>(
        [
            "Platform:GatewayPort=0",
            "Platform:LocalAgonesPort=0",
            "Platform:GatewayReplicas=2",
            "Platform:FleetBuffer=2",
            "Platform:FleetMinReplicas=2",
            $"Platform:FleetMaxReplicas={FleetMax}",
            $"Platform:StorageRoot={storage}",
            "Platform:AdminUsers=admin",
            "Platform:IdleCheckInterval=00:00:02",
            "Platform:ReconcileInterval=00:00:05",
        ], cts.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        foreach (var resource in new[] { "garnet", "localagones", "gateway", "cruiser" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cts.Token);
        }

        GatewayUrl = App.GetEndpoint("gateway", "http");
        Cache = await ConnectionMultiplexer.ConnectAsync((await App.GetConnectionStringAsync("cache", cts.Token))!);
        Agones = new LocalAgonesClient(App.GetEndpoint("localagones", "http"));
        await Agones.WaitForReadyAsync(1);
    }

    public HttpClient Client(string? user, bool html = false) => GatewayClient.For(GatewayUrl, user, html);

    /// <summary>
    /// Gives every runtime back through the admin API, empties the waiting line, and checks the result — no session, nobody
    /// waiting, no runtime allocated, a full Ready buffer — so each test starts alike and none depends on another's leftovers.
    /// </summary>
    public async Task ResetAsync()
    {
        using var admin = Client("admin");
        var sessions = await admin.GetFromJsonAsync<JsonElement>("/_sd/api/admin/sessions");
        foreach (var session in sessions.GetProperty("sessions").EnumerateArray())
        {
            var user = session.GetProperty("user").GetString()!;
            (await admin.PostAsync($"/_sd/api/admin/sessions/{Uri.EscapeDataString(user)}/release", null)).EnsureSuccessStatusCode();
        }

        var line = new WaitingLine(Cache, TimeProvider.System, profile: "default"); // the one default profile's line
        foreach (var waiting in await line.QueueAsync())
        {
            await line.LeaveQueueAsync(waiting);
        }

        await Eventually.HoldsAsync(async () =>
        {
            var servers = await Agones.ListAsync();
            return servers.Count(s => s.State == GameServerState.Allocated) == 0 && servers.Count(s => s.State == GameServerState.Ready) >= 2;
        }, TimeSpan.FromSeconds(90), "the fleet to be back to two Ready runtimes and none allocated");
        Assert.Empty(await line.QueueAsync());
        var left = await admin.GetFromJsonAsync<JsonElement>("/_sd/api/admin/sessions");
        Assert.Equal(0, left.GetProperty("sessions").GetArrayLength());
    }

    public async Task DisposeAsync()
    {
        Agones?.Dispose();
        Cache?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(storage, recursive: true);
        }
        catch (IOException)
        {
            // runtimes may still be stopping
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
