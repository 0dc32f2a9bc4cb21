using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SdAgones.Cruiser;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Identity;
using SdAgones.Runtimes.Sessions;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Cruiser;

/// <summary>The cruiser's real loop, on real time, against Garnet and LocalAgones.</summary>
public sealed class CruiserIntegrationTests
{
    [Fact]
    public async Task A_session_idle_past_a_short_timeout_is_reclaimed_and_its_runtime_deleted()
    {
        using var redis = new RedisBackends();
        await using var agones = await LocalAgonesHost.StartAsync(buffer: 1, max: 3);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = redis.GarnetEndpoint,
            ["Agones:ApiServer"] = agones.Url.ToString(),
            ["Idle:Timeout"] = "00:00:03",
            ["Idle:CheckInterval"] = "00:00:00.500",
            ["Idle:TouchInterval"] = "00:00:00",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddRedisClient("cache");
        CruiserExtensions.AddCruiserServices(builder.Services, builder.Configuration);
        builder.Services.AddHostedService<CruiserWorker>();
        using var host = builder.Build();
        await host.StartAsync();

        await agones.WaitForReadyAsync(1);
        var status = await agones.Agones.AllocateAsync(new GameServerAllocationSpec
        {
            Selectors = [new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = "sd-agones-fleet" } }],
            Metadata = new AllocationMetadata
            {
                Labels = new() { [AgonesApi.UserLabel] = PersonLabel.For("ida") },
                Annotations = new() { [AgonesApi.UserAnnotation] = "ida" },
            },
        }, CancellationToken.None);
        var store = host.Services.GetRequiredService<SessionStore>();
        await store.AssignAsync(new RuntimeSession("ida", status.GameServerName!, RuntimeAddress.WebUI(status)!, DateTimeOffset.UtcNow, null));

        await Eventually.HoldsAsync(async () => await store.GetAsync("ida") is null, TimeSpan.FromSeconds(20), "ida's idle session to be reclaimed");
        await Eventually.HoldsAsync(async () => await agones.Agones.GetGameServerAsync(status.GameServerName!, CancellationToken.None) is null,
            TimeSpan.FromSeconds(20), "ida's runtime to be deleted");
        Assert.DoesNotContain(await agones.ListAsync(), s => s.State == GameServerState.Allocated);

        await host.StopAsync();
    }
}
