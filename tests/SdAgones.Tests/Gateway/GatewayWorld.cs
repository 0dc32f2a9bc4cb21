using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SdAgones.Cruiser;
using SdAgones.Gateway;
using SdAgones.Gateway.Allocation;
using SdAgones.Gateway.Sessions;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using SdAgones.Tests.Infrastructure;
using StackExchange.Redis;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// The gateway's allocator, session directory and waiting room wired by its own registrations to real parts —
/// embedded Garnet and LocalAgones with runtime processes — with time on a <see cref="FakeTimeProvider"/>. Two
/// gateway instances share the cache (as two replicas behind the load balancer do), and a cruiser's policy objects
/// stand beside them for the expiries the cruiser owns (queue entries, orphans).
/// </summary>
/// <remarks>
/// With <c>profiles</c> the services are given <c>Profiles:N:*</c>. LocalAgones here runs one Fleet
/// (<c>sd-agones-fleet</c>); a second profile's GameServers are made by relabelling Ready runtimes of it into the
/// other Fleet (<see cref="MoveToFleetAsync"/>, a merge-patch of <c>agones.dev/fleet</c> through its Kubernetes API):
/// real runtimes that Agones' selectors, the informer and the allocator see as the other Fleet's.
/// </remarks>
internal sealed class GatewayWorld(int buffer = 2, int max = 4, IReadOnlyDictionary<string, string?>? settings = null, IReadOnlyList<SdAgones.Contracts.Profiles.RuntimeProfile>? profiles = null) : IAsyncDisposable
{
    public static readonly TimeSpan WaitForPeer = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan QueueEntryTtl = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan OrphanGrace = TimeSpan.FromSeconds(60);
    private readonly RedisBackends redis = new();
    private readonly List<ServiceProvider> providers = [];
    private IConfiguration configuration = null!;
    private IConnectionMultiplexer connection = null!;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())); // the store keeps milliseconds
    public LocalAgonesHost Agones { get; private set; } = null!;

    /// <summary>The first gateway instance.</summary>
    public GatewayInstance Gateway { get; private set; } = null!;

    /// <summary>A second gateway instance on the same cache and Agones.</summary>
    public GatewayInstance OtherGateway { get; private set; } = null!;

    /// <summary>The cruiser's policy objects on the same cache, Agones and clock (passes are driven by the test).</summary>
    public ServiceProvider Cruiser { get; private set; } = null!;

    public SessionStore Store => Gateway.Get<SessionStore>();

    /// <summary>The connection every instance shares, for reading the cache server's own command counts.</summary>
    public IConnectionMultiplexer Cache => connection;

    /// <summary>One of the cruiser's policy objects (the reconciler, the lease store).</summary>
    public T Get<T>() where T : notnull => Cruiser.GetRequiredService<T>();
    public WaitingLine Line => Gateway.Get<WaitingLine>();

    /// <summary>
    /// When set before <see cref="StartAsync"/>, every request the services send to Agones passes through this handler
    /// (to play an Agones that misbehaves).
    /// </summary>
    public Func<DelegatingHandler>? AgonesHandler { get; init; }

    public async Task StartAsync()
    {
        Agones = await LocalAgonesHost.StartAsync(buffer, max, "--Fleet:WebUIStepDelay", "00:00:00.020");
        var all = new Dictionary<string, string?>
        {
            ["Agones:ApiServer"] = Agones.Url.ToString(),
            ["Allocation:WaitForPeer"] = WaitForPeer.ToString("c"),
            ["Reconcile:QueueEntryTtl"] = QueueEntryTtl.ToString("c"),
            ["Reconcile:OrphanGrace"] = OrphanGrace.ToString("c"),
        };
        foreach (var (key, value) in ProfileSettings(profiles ?? []))
        {
            all[key] = value;
        }

        configuration = new ConfigurationBuilder().AddInMemoryCollection(all).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        connection = await redis.ConnectCleanAsync("garnet");
        await WarmScriptsAsync();
        Gateway = await StartGatewayAsync();
        OtherGateway = await StartGatewayAsync();
        Cruiser = Provider(services => CruiserExtensions.AddCruiserServices(services));
        await Agones.WaitForReadyAsync(buffer);
    }

    /// <summary>
    /// The first Lua script in a test process makes Garnet load and compile its Lua runtime, which on a loaded machine
    /// outlasted the client's 5 s timeout (RedisTimeoutException on EVAL, seen in the first test of a run); these tests
    /// are about the gateway, so the world waits once for the script engine to answer.
    /// </summary>
    private async Task WarmScriptsAsync() =>
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                return (int)await connection.GetDatabase().ScriptEvaluateAsync("return 1") == 1;
            }
            catch (RedisTimeoutException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the cache to run scripts");

    private async Task<GatewayInstance> StartGatewayAsync()
    {
        var instance = new GatewayInstance(Provider(services =>
        {
            GatewayExtensions.AddSessionServices(services);
            GatewayExtensions.AddAllocationServices(services);
        }));
        await instance.StartAsync();
        return instance;
    }

    private ServiceProvider Provider(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(configuration);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddMetrics();
        services.AddSingleton(connection);
        register(services);
        if (AgonesHandler is { } handler)
        {
            services.AddSingleton<k8s.IKubernetes>(_ => new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = Agones.Url.ToString() }, handler()));
        }

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        providers.Add(provider);
        return provider;
    }

    /// <summary>
    /// Awaits <paramref name="task"/> while the fake clock moves by <paramref name="step"/> every few real milliseconds,
    /// for code that waits on the clock (the wait for a peer's allocation); fails after <paramref name="limit"/> real time.
    /// </summary>
    public async Task<T> WhileClockRunsAsync<T>(Task<T> task, TimeSpan step, TimeSpan? limit = null)
    {
        var until = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(60));
        while (!task.IsCompleted)
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The call did not finish while the fake clock ran to {Time.GetUtcNow():O}.");
            }

            Time.Advance(step);
            await Task.WhenAny(task, Task.Delay(10));
        }

        return await task;
    }

    /// <summary>The <c>Profiles:N:*</c> settings of <paramref name="profiles"/>, as the AppHost gives them to every service.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> ProfileSettings(IReadOnlyList<SdAgones.Contracts.Profiles.RuntimeProfile> profiles)
    {
        for (var i = 0; i < profiles.Count; i++)
        {
            var p = profiles[i];
            var key = $"Profiles:{i}:";
            yield return new(key + "Slug", p.Slug);
            yield return new(key + "DisplayName", p.DisplayName);
            yield return new(key + "Description", p.Description);
            yield return new(key + "GpuType", p.GpuType);
            yield return new(key + "GpuCount", p.GpuCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            yield return new(key + "Fleet", p.Fleet);
            yield return new(key + "Default", p.Default ? "true" : "false");
            if (p.IdleTimeout is { } idle)
            {
                yield return new(key + "IdleTimeout", idle.ToString("c"));
            }

            for (var u = 0; u < p.AllowedUsers.Count; u++)
            {
                yield return new($"{key}AllowedUsers:{u}", p.AllowedUsers[u]);
            }
        }
    }

    /// <summary>
    /// Moves <paramref name="count"/> Ready runtimes of LocalAgones' Fleet into <paramref name="fleet"/> (the second
    /// profile's) and waits until both gateways' informers see them there.
    /// </summary>
    public async Task MoveToFleetAsync(string fleet, int count)
    {
        await Agones.WaitForReadyAsync(count);
        var ready = (await Agones.ListAsync($"{SdAgones.Contracts.AgonesApi.FleetLabel}={SdAgones.Contracts.RuntimeFleet.Name}"))
            .Where(s => s.State == GameServerState.Ready).OrderBy(s => s.Name, StringComparer.Ordinal).Take(count).ToList();
        Assert.Equal(count, ready.Count);
        foreach (var server in ready)
        {
            await Agones.Agones.PatchGameServerMetadataAsync(server.Name, new Dictionary<string, string> { [SdAgones.Contracts.AgonesApi.FleetLabel] = fleet }, null, CancellationToken.None);
        }

        foreach (var instance in new[] { Gateway, OtherGateway })
        {
            await Eventually.HoldsAsync(() => Task.FromResult(ready.All(r => instance.Watcher.Find(r.Name)?.Fleet == fleet)),
                TimeSpan.FromSeconds(30), $"the gateway to see {count} runtimes in {fleet}");
        }
    }

    /// <summary>The Fleet of each GameServer Agones holds Allocated for the person.</summary>
    public async Task<List<string?>> FleetsOfAsync(string user) =>
        [.. (await Agones.Client.AllocatedToAsync(user)).Select(s => s.Fleet)];

    /// <summary>Allocates a runtime at Agones for the person as a gateway does, without binding it (a gateway that died mid-allocation).</summary>
    public Task<GameServerAllocationStatus> AllocateUnboundAsync(string user) => Agones.Client.AllocateToAsync(user, Time.GetUtcNow());

    /// <summary>The GameServers Agones holds Allocated for the person.</summary>
    public async Task<List<string>> RuntimesOfAsync(string user) =>
        [.. (await Agones.Client.AllocatedToAsync(user)).Select(s => s.Name)];

    public async Task<GameServerState?> StateOfAsync(string runtime) =>
        (await Agones.Agones.GetGameServerAsync(runtime, CancellationToken.None))?.State;

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in providers)
        {
            if (provider.GetService<GameServerWatcher>() is { } watcher)
            {
                await watcher.StopAsync(CancellationToken.None);
            }

            await provider.DisposeAsync();
        }

        if (Agones is not null)
        {
            await Agones.DisposeAsync();
        }

        redis.Dispose();
    }
}

/// <summary>One gateway instance: its own informer, session directory (with its in-memory copy), allocator and waiting room.</summary>
internal sealed class GatewayInstance(ServiceProvider services)
{
    public RuntimeAllocator Allocator => Get<RuntimeAllocator>();
    public SessionDirectory Directory => Get<SessionDirectory>();
    public SdAgones.Gateway.WaitingRoom.WaitingRoom WaitingRoom => Get<SdAgones.Gateway.WaitingRoom.WaitingRoom>();
    public GameServerWatcher Watcher => Get<GameServerWatcher>();

    public T Get<T>() where T : notnull => services.GetRequiredService<T>();

    public async Task StartAsync()
    {
        await Watcher.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => Task.FromResult(Watcher.IsSynced), TimeSpan.FromSeconds(30), "the gateway's informer to sync");
    }

    /// <summary>
    /// Waits until this instance's informer sees at least <paramref name="count"/> Ready runtimes that nobody holds: a
    /// runtime allocated a moment ago can still look Ready to the informer, and counting it let a test ask for a runtime
    /// while the fleet's next one was still starting (seen in CI: "Expected Ready, Actual Starting").
    /// </summary>
    public Task SeesReadyAsync(int count) =>
        Eventually.HoldsAsync(async () =>
        {
            var held = (await Get<SessionStore>().ListAsync()).Select(s => s.Session.Runtime).ToHashSet(StringComparer.Ordinal);
            return Watcher.All.Count(s => s.State == GameServerState.Ready && !held.Contains(s.Name)) >= count;
        }, TimeSpan.FromSeconds(90), $"the gateway to see {count} Ready runtimes nobody holds");
}
