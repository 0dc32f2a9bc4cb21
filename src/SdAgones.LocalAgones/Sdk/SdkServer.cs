using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SdAgones.LocalAgones.Fleets;
using SdAgones.LocalAgones.Pods;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Sdk;

/// <summary>
/// The Agones SDK sidecar of one runtime: its REST API on the port the runtime's processes get as
/// <c>AGONES_SDK_HTTP_PORT</c>. Each runtime has its own, as each pod has its own sidecar. As the real one
/// (Agones v1.56.0 pkg/sdkserver/sdkserver.go), it answers state and metadata calls at once with <c>{}</c> and
/// applies them later through <see cref="SdkWrites"/>; <c>/watch/gameserver</c> sends the current GameServer first.
/// </summary>
internal sealed class SdkServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping;

    private SdkServer(WebApplication app, CancellationTokenSource stopping)
    {
        this.app = app;
        this.stopping = stopping;
    }

    public static async Task<SdkServer> StartAsync(
        RuntimePod pod, GameServerRegistry registry, TimeSpan requestRateLimit, TimeProvider time, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{pod.SdkPort}");
        var app = builder.Build();
        var name = pod.Name;
        var stopping = new CancellationTokenSource();
        var writes = new SdkWrites(name, registry, requestRateLimit, time, stopping.Token);
        var empty = Results.Json(new { });

        app.MapPost("/health", () => { pod.RecordHealth(); return empty; });
        app.MapPost("/ready", () => { writes.RequestState(GameServerState.RequestReady); return empty; });
        app.MapPost("/allocate", () => { writes.RequestState(GameServerState.Allocated); return empty; });
        app.MapPost("/shutdown", () => { writes.RequestState(GameServerState.Shutdown); return empty; });
        app.MapPost("/reserve", async (HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body) as JsonObject;
            var text = body?["seconds"]?.ToString() ?? "0";
            if (!long.TryParse(text, out var seconds) || seconds < 0)
            {
                return Results.BadRequest(new { error = "seconds must be a non-negative whole number (as a string)" });
            }

            writes.RequestState(GameServerState.Reserved, seconds);
            return empty;
        });
        app.MapGet("/gameserver", () => registry.Get(name) is { } server ? Results.Json(ToSdk(server)) : Results.NotFound());
        app.MapGet("/watch/gameserver", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";

            // WatchGameServer sends the current GameServer before any change: a watch opened from "now" (null)
            // starts with every current object, of which this runtime's is the one sent.
            var events = registry.Watch(fromVersion: null, context.RequestAborted);
            try
            {
                await foreach (var e in events.ReadAllAsync(context.RequestAborted))
                {
                    if (e.Object.Name != name)
                    {
                        continue;
                    }

                    await context.Response.WriteAsync(JsonSerializer.Serialize(new { result = ToSdk(e.Object) }) + "\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    if (e.Type == "DELETED")
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // the runtime stopped watching
            }
        });
        app.MapPut("/metadata/label", (KeyValue kv) => SetMetadata(writes, kv, labels: true));
        app.MapPut("/metadata/annotation", (KeyValue kv) => SetMetadata(writes, kv, labels: false));

        await app.StartAsync(ct);
        return new SdkServer(app, stopping);
    }

    /// <summary>Annotation that holds the end of a reservation ("" = forever).</summary>
    public const string ReservedUntil = "sdagones.dev/reserved-until";

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }

    private static IResult SetMetadata(SdkWrites writes, KeyValue kv, bool labels)
    {
        if (string.IsNullOrEmpty(kv.Key))
        {
            return Results.BadRequest(new { error = "key is required" });
        }

        if (labels)
        {
            writes.SetLabel(kv.Key, kv.Value ?? "");
        }
        else
        {
            writes.SetAnnotation(kv.Key, kv.Value ?? "");
        }

        return Results.Json(new { });
    }

    /// <summary>The SDK's GameServer shape: snake_case object_meta and a status with state, address and ports.</summary>
    public static object ToSdk(GameServer server) => new
    {
        object_meta = new
        {
            name = server.Metadata.Name,
            @namespace = server.Metadata.NamespaceProperty,
            uid = server.Metadata.Uid,
            resource_version = server.Metadata.ResourceVersion,
            generation = (server.Metadata.Generation ?? 1).ToString(CultureInfo.InvariantCulture),
            creation_timestamp = server.Metadata.CreationTimestamp is { } t
                ? new DateTimeOffset(t, TimeSpan.Zero).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)
                : "0",
            annotations = server.Metadata.Annotations ?? new Dictionary<string, string>(),
            labels = server.Metadata.Labels ?? new Dictionary<string, string>(),
        },
        status = new
        {
            state = server.State?.ToString() ?? "",
            address = server.Status?.Address ?? "",
            ports = server.Status?.Ports.Select(p => new { name = p.Name, port = p.Port }).ToArray() ?? [],
        },
    };

    internal sealed record KeyValue(string? Key, string? Value);
}
