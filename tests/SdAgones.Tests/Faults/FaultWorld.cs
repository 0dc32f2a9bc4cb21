using System.Net;
using SdAgones.CacheServer;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;
using StackExchange.Redis;

namespace SdAgones.Tests.Faults;

/// <summary>
/// The platform with its dependencies within the test's reach: a Garnet the test can stop, restart or flush, behind a
/// relay that keeps the cache's address (each restart of Garnet gets a fresh port; the relay holds the one services were
/// given); LocalAgones behind a relay the test can cut or slow; gateway and cruiser as real processes (development identity).
/// Every part keeps its log from Information on, and <see cref="StoryAsync"/> tells a failing test what each part did.
/// </summary>
public sealed class FaultWorld : IAsyncDisposable
{
    private readonly List<ServiceProcess> services = [];
    private EmbeddedGarnet? garnet;

    private FaultWorld()
    {
    }

    public LocalAgonesHost Agones { get; private set; } = null!;
    public TcpFaultProxy AgonesLink { get; private set; } = null!;
    public TcpFaultProxy CacheLink { get; private set; } = null!;
    public string CacheEndpoint => $"127.0.0.1:{CacheLink.Port}";

    public static async Task<FaultWorld> StartAsync(int buffer = 2, int max = 4)
    {
        var world = new FaultWorld();
        world.StartCache();
        world.Agones = await LocalAgonesHost.StartAsync(buffer, max);
        world.AgonesLink = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, world.Agones.Url.Port));
        await world.Agones.WaitForReadyAsync(Math.Min(buffer, 1));
        return world;
    }

    /// <summary>Starts an empty cache on a fresh port and points the cache's address at it.</summary>
    public void StartCache()
    {
        garnet = RedisBackends.StartGarnet();
        var at = new IPEndPoint(IPAddress.Loopback, garnet.Port);
        if (CacheLink is null)
        {
            CacheLink = new TcpFaultProxy(at);
        }
        else
        {
            CacheLink.Retarget(at);
            CacheLink.Restore();
        }
    }

    /// <summary>Stops the cache (connections reset, new ones refused); its data is gone, as after a Memorystore failover without persistence.</summary>
    public void StopCache()
    {
        CacheLink?.Cut();
        garnet?.Dispose();
        garnet = null;
    }

    public async Task FlushCacheAsync()
    {
        using var connection = await ConnectionMultiplexer.ConnectAsync($"{CacheEndpoint},allowAdmin=true");
        await connection.GetServers()[0].FlushAllDatabasesAsync();
    }

    public async Task<ServiceProcess> StartGatewayAsync(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["Identity:Mode"] = "Development",
            ["ConnectionStrings:cache"] = CacheEndpoint,
            ["Agones:ApiServer"] = AgonesLink.Url.ToString(),
            ["Admin:Users"] = "admin",
            ["Logging:LogLevel:SdAgones"] = "Information",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var gateway = ServiceProcess.Start("SdAgones.Gateway", settings, environment: "Development");
        services.Add(gateway);
        await gateway.WaitUntilHealthyAsync();
        return gateway;
    }

    public async Task<ServiceProcess> StartCruiserAsync(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:cache"] = CacheEndpoint,
            ["Agones:ApiServer"] = AgonesLink.Url.ToString(),
            ["Idle:CheckInterval"] = "00:00:00.500",
            ["Reconcile:Interval"] = "00:00:01",
            ["Logging:LogLevel:SdAgones"] = "Information",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var cruiser = ServiceProcess.Start("SdAgones.Cruiser", settings);
        services.Add(cruiser);
        await Eventually.HoldsAsync(async () =>
        {
            using var http = new HttpClient { BaseAddress = cruiser.Url, Timeout = TimeSpan.FromSeconds(2) };
            return (await http.GetAsync("/alive")).IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "the cruiser to start");
        return cruiser;
    }

    public static HttpClient Client(ServiceProcess gateway, string? user, bool html = false) =>
        GatewayClient.For(gateway.Url, user, html, TimeSpan.FromSeconds(30));

    /// <summary>
    /// What happened, for a failure message: <paramref name="person"/>'s session events as the administrator's export
    /// has them (who released which runtime, and why), then the logs of LocalAgones, the gateway and the cruiser.
    /// </summary>
    public async Task<string> StoryAsync(string person)
    {
        var story = new System.Text.StringBuilder();
        if (services.FirstOrDefault(s => s.Project == "SdAgones.Gateway" && !s.HasExited) is { } gateway)
        {
            try
            {
                using var admin = Client(gateway, "admin");
                var since = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"));
                var events = (await admin.GetStringAsync($"/_sd/api/admin/events?format=jsonl&since={since}"))
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.Contains($"\"person\":\"{person}\"", StringComparison.Ordinal));
                story.AppendLine($"--- {person}'s session events").AppendLine(string.Join('\n', events));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                story.AppendLine($"--- {person}'s session events could not be read: {ex.Message}");
            }
        }

        story.AppendLine("--- LocalAgones").AppendLine(Agones.LogText());
        foreach (var service in services)
        {
            story.AppendLine($"--- {service.Project} (process {service.Id})").AppendLine(service.Output);
        }

        return story.ToString();
    }

    /// <summary>Runs <paramref name="test"/>; when it fails, the failure carries <see cref="StoryAsync"/> for <paramref name="person"/>.</summary>
    public async Task TellOnFailureAsync(string person, Func<Task> test)
    {
        try
        {
            await test();
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.GetType().Name}: {ex.Message}\n{await StoryAsync(person)}", ex);
        }
    }

    public async Task<List<GameServer>> AllocatedAsync() =>
        (await Agones.ListAsync()).Where(s => s.State == GameServerState.Allocated).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var service in services)
        {
            await service.DisposeAsync();
        }

        await AgonesLink.DisposeAsync();
        await Agones.DisposeAsync();
        StopCache();
        await CacheLink.DisposeAsync();
    }
}
