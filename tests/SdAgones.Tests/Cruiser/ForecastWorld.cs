using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SdAgones.Cruiser;
using SdAgones.Cruiser.Autoscaling;
using SdAgones.Runtimes.Forecast;
using SdAgones.Runtimes.Sessions;
using SdAgones.Tests.Infrastructure;
using StackExchange.Redis;

namespace SdAgones.Tests.Cruiser;

/// <summary>
/// The cruiser's webhook on real HTTP (Kestrel on a free port) over embedded Garnet, with time on a
/// <see cref="FakeTimeProvider"/> so weeks of arrivals are written through the real waiting line in a moment.
/// Agones itself is not needed: the answer reads only the cache.
/// </summary>
public sealed class ForecastWorld : IAsyncDisposable
{
    public const string Fleet = "sd-agones-fleet";
    private readonly RedisBackends redis = new();
    private WebApplication app = null!;

    private ForecastWorld(DateTimeOffset start) => Time = new FakeTimeProvider(start);

    public FakeTimeProvider Time { get; }

    public HttpClient Http { get; private set; } = null!;

    public IServiceProvider Services => app.Services;

    public WaitingLine Line => Services.GetRequiredService<WaitingLine>();

    public ArrivalHistory History => Services.GetRequiredService<ArrivalHistory>();

    public static async Task<ForecastWorld> StartAsync(DateTimeOffset start, IReadOnlyDictionary<string, string?> settings)
    {
        var world = new ForecastWorld(start);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Agones:ApiServer"] = "http://127.0.0.1:9", // never called: the answer reads only the cache
            ["Agones:Fleet"] = Fleet,
        }).AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton<TimeProvider>(world.Time);
        builder.Services.AddSingleton(await world.redis.ConnectCleanAsync("garnet"));
        CruiserExtensions.AddCruiserServices(builder.Services);
        world.app = builder.Build();
        world.app.MapFleetAutoscale();
        await world.app.StartAsync();
        var address = world.app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        world.Http = new HttpClient { BaseAddress = new Uri(address) };
        return world;
    }

    /// <summary>People arriving through the real waiting line (a queued event each) at <paramref name="at"/>, then leaving it again.</summary>
    public async Task ArriveAsync(DateTimeOffset at, int people, string tag)
    {
        Time.SetUtcNow(at);
        for (var i = 0; i < people; i++)
        {
            var user = $"{tag}-{i}@example.com";
            await Line.JoinQueueAsync(user);
            await Line.LeaveQueueAsync(user);
        }
    }

    /// <summary>Posts a review for the Fleet at <paramref name="at"/> and returns the replicas answered.</summary>
    public async Task<int> ReplicasAtAsync(DateTimeOffset at, int allocated, int replicas = 0, string fleet = Fleet)
    {
        Time.AdjustTime(at); // asking about any moment, earlier ones too
        var answer = await Http.PostAsJsonAsync(FleetAutoscaleApi.Path, Review(fleet, allocated, replicas));
        answer.EnsureSuccessStatusCode();
        var review = await answer.Content.ReadFromJsonAsync<FleetAutoscaleReview>();
        Assert.True(review!.Response!.Scale);
        return review.Response.Replicas;
    }

    public static object Review(string fleet, int allocated, int replicas, string uid = "4f3c0b7e-review") => new
    {
        request = new
        {
            uid,
            name = fleet,
            @namespace = "default",
            status = new { replicas, readyReplicas = Math.Max(0, replicas - allocated), reservedReplicas = 0, allocatedReplicas = allocated },
        },
    };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        redis.Dispose();
    }
}
