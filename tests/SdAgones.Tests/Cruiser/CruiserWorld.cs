using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SdAgones.Cruiser;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using SdAgones.Tests.Infrastructure;
using StackExchange.Redis;

namespace SdAgones.Tests.Cruiser;

/// <summary>
/// The cruiser's policy objects wired to real parts — embedded Garnet and LocalAgones with runtime processes —
/// with time on a <see cref="FakeTimeProvider"/>, so a 15-minute timeout passes without sleeping.
/// </summary>
public sealed class CruiserWorld : IAsyncLifetime
{
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(15);
    private readonly RedisBackends redis = new();
    private readonly IReadOnlyDictionary<string, string?> extraSettings;

    public CruiserWorld()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>A world whose cruiser also reads <paramref name="settings"/> (e.g. <c>Usage:DailyQuota</c>).</summary>
    internal CruiserWorld(IReadOnlyDictionary<string, string?> settings) => extraSettings = settings; // internal: xunit wants one public constructor

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())); // the store keeps milliseconds
    public LocalAgonesHost Agones { get; private set; } = null!;
    public ServiceProvider Services { get; private set; } = null!;
    public SessionStore Store => Services.GetRequiredService<SessionStore>();

    /// <summary>Every call the cruiser makes to Agones passes here, so a test can act between a call's answer and the cruiser's next step.</summary>
    public AgonesTap Tap { get; } = new();
    public IConnectionMultiplexer Cache => Services.GetRequiredService<IConnectionMultiplexer>();

    public async Task InitializeAsync()
    {
        Agones = await LocalAgonesHost.StartAsync(buffer: 2, max: 8, "--Fleet:WebUIStepDelay", "00:00:00.050");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agones:ApiServer"] = Agones.Url.ToString(),
            ["Idle:Timeout"] = IdleTimeout.ToString("c"),
            ["Reconcile:OrphanGrace"] = "00:01:00",
        }).AddInMemoryCollection(extraSettings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddMetrics();
        services.AddSingleton<IConnectionMultiplexer>(await redis.ConnectCleanAsync("garnet"));
        services.AddSingleton<IConfiguration>(configuration);
        CruiserExtensions.AddCruiserServices(services);
        services.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = Agones.Url.ToString() }, Tap));
        Services = services.BuildServiceProvider();
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Allocates a runtime to a person as the gateway does, optionally binding the session too.</summary>
    public async Task<RuntimeSession> AllocateAsync(string user, bool bind = true)
    {
        await Agones.WaitForReadyAsync(1);
        var status = await Agones.Client.AllocateToAsync(user, Time.GetUtcNow());
        var session = new RuntimeSession(user, status.GameServerName!, RuntimeAddress.WebUI(status)!, Time.GetUtcNow(), status.NodeName);
        if (bind)
        {
            await Store.AssignAsync(session);
        }

        return session;
    }

    public async Task<GameServerState?> StateOfAsync(string runtime) =>
        (await Agones.Agones.GetGameServerAsync(runtime, CancellationToken.None))?.State;

    public async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        await Agones.DisposeAsync();
        redis.Dispose();
    }
}

/// <summary>
/// A pass-through for a client's calls to the Kubernetes API that runs <see cref="Answered"/> after each answer has
/// arrived and before the caller sees it: the moment another party's change can land between two reads.
/// </summary>
public sealed class AgonesTap : DelegatingHandler
{
    /// <summary>Runs once per answer while set; the caller waits for it.</summary>
    public Func<HttpRequestMessage, Task>? Answered { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Answered is { } answered)
        {
            await answered(request);
        }

        return response;
    }
}
