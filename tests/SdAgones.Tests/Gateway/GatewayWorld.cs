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
internal sealed class GatewayWorld(int buffer = 2, int max = 4, IReadOnlyDictionary<string, string?>? settings = null) : IAsyncDisposable
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

    public async Task StartAsync()
    {
        Agones = await LocalAgonesHost.StartAsync(buffer, max, "--Fleet:WebUIStepDelay", "00:00:00.020");
        configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agones:ApiServer"] = Agones.Url.ToString(),
            ["Allocation:WaitForPeer"] = WaitForPeer.ToString("c"),
            ["Reconcile:QueueEntryTtl"] = QueueEntryTtl.ToString("c"),
            ["Reconcile:OrphanGrace"] = OrphanGrace.ToString("c"),
        }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
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

    /// <summary>Waits until this instance's informer sees at least <paramref name="count"/> Ready runtimes.</summary>
    public Task SeesReadyAsync(int count) =>
        Eventually.HoldsAsync(() => Task.FromResult(Watcher.All.Count(s => s.State == GameServerState.Ready) >= count),
            TimeSpan.FromSeconds(90), $"the gateway to see {count} Ready runtimes");
}
