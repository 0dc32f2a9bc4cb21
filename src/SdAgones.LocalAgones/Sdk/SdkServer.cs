using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SdAgones.LocalAgones.Fleets;
using SdAgones.LocalAgones.Pods;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Sdk;

/// <summary>
/// The Agones SDK sidecar of one runtime: its REST API (anchors §1d) on the port the runtime's processes get as
/// <c>AGONES_SDK_HTTP_PORT</c>. Each runtime has its own, as each pod has its own sidecar.
/// </summary>
internal sealed class SdkServer : IAsyncDisposable
{
    private const string SdkPrefix = "agones.dev/sdk-";
    private readonly WebApplication app;

    private SdkServer(WebApplication app) => this.app = app;

    public static async Task<SdkServer> StartAsync(RuntimePod pod, GameServerRegistry registry, TimeProvider time, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{pod.SdkPort}");
        var app = builder.Build();
        var name = pod.Name;

        app.MapPost("/health", () => { pod.RecordHealth(); return Results.Json(new { }); });
        app.MapPost("/ready", () =>
        {
            var moved = registry.TryMove(name, GameServerState.RequestReady) && registry.TryMove(name, GameServerState.Ready);
            return moved ? Results.Json(new { }) : Refused(registry, name, "Ready");
        });
        app.MapPost("/allocate", () => registry.TryMove(name, GameServerState.Allocated, s =>
                s.Metadata.Annotations!["agones.dev/last-allocated"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))
            ? Results.Json(new { })
            : Refused(registry, name, "Allocated"));
        app.MapPost("/shutdown", () => registry.TryMove(name, GameServerState.Shutdown) ? Results.Json(new { }) : Refused(registry, name, "Shutdown"));
        app.MapPost("/reserve", async (HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body) as JsonObject;
            var text = body?["seconds"]?.ToString() ?? "0";
            if (!long.TryParse(text, out var seconds) || seconds < 0)
            {
                return Results.BadRequest(new { error = "seconds must be a non-negative whole number (as a string)" });
            }

            var until = seconds == 0 ? "" : time.GetUtcNow().AddSeconds(seconds).ToString("O", CultureInfo.InvariantCulture);
            return registry.TryMove(name, GameServerState.Reserved, s => s.Metadata.Annotations![ReservedUntil] = until)
                ? Results.Json(new { })
                : Refused(registry, name, "Reserved");
        });
        app.MapGet("/gameserver", () => registry.Get(name) is { } server ? Results.Json(ToSdk(server)) : Results.NotFound());
        app.MapGet("/watch/gameserver", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
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
        app.MapPut("/metadata/label", (KeyValue kv) => SetMetadata(registry, name, kv, labels: true));
        app.MapPut("/metadata/annotation", (KeyValue kv) => SetMetadata(registry, name, kv, labels: false));

        await app.StartAsync(ct);
        return new SdkServer(app);
    }

    /// <summary>Annotation that holds the end of a reservation ("" = forever).</summary>
    public const string ReservedUntil = "sdagones.dev/reserved-until";

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static IResult SetMetadata(GameServerRegistry registry, string name, KeyValue kv, bool labels)
    {
        if (string.IsNullOrEmpty(kv.Key))
        {
            return Results.BadRequest(new { error = "key is required" });
        }

        var updated = registry.Update(name, s =>
        {
            var target = labels ? (s.Metadata.Labels ??= new Dictionary<string, string>()) : (s.Metadata.Annotations ??= new Dictionary<string, string>());
            target[SdkPrefix + kv.Key] = kv.Value ?? "";
        });
        return updated is null ? Results.NotFound() : Results.Json(new { });
    }

    private static IResult Refused(GameServerRegistry registry, string name, string wanted)
    {
        var state = registry.Get(name)?.State?.ToString() ?? "deleted";
        return Results.Json(new { error = $"GameServer {name} cannot move from {state} to {wanted}" }, statusCode: StatusCodes.Status409Conflict);
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
