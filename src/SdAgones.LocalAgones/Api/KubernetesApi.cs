using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using SdAgones.LocalAgones.Fleets;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Api;

/// <summary>
/// The part of the Kubernetes API that the platform uses, answered as a real API server answers: typed objects,
/// <c>...List</c> kinds, <c>Status</c> errors, and newline-delimited watch streams that honour resourceVersion.
/// </summary>
internal static class KubernetesApi
{
    private const string GameServers = $"/apis/{AgonesApi.Group}/{AgonesApi.Version}/namespaces/{{ns}}/{AgonesApi.GameServers}";
    private const string Fleets = $"/apis/{AgonesApi.Group}/{AgonesApi.Version}/namespaces/{{ns}}/{AgonesApi.Fleets}";
    private const string Allocations = $"/apis/{AgonesApi.AllocationGroup}/{AgonesApi.Version}/namespaces/{{ns}}/{AgonesApi.Allocations}";

    public static WebApplication MapKubernetesApi(this WebApplication app)
    {
        app.MapGet("/version", () => Results.Json(new
        {
            major = "1",
            minor = "31",
            gitVersion = "v1.31.0-localagones",
            platform = "linux/amd64",
        }));
        app.MapGet("/apis", () => Object(new V1APIGroupList
        {
            ApiVersion = "v1",
            Kind = "APIGroupList",
            Groups =
            [
                Group(AgonesApi.Group),
                Group(AgonesApi.AllocationGroup),
            ],
        }));
        app.MapGet($"/apis/{AgonesApi.Group}/{AgonesApi.Version}", () => Object(new V1APIResourceList
        {
            ApiVersion = "v1",
            Kind = "APIResourceList",
            GroupVersion = $"{AgonesApi.Group}/{AgonesApi.Version}",
            Resources =
            [
                new V1APIResource { Name = AgonesApi.GameServers, Kind = GameServer.KindName, Namespaced = true, SingularName = "gameserver", ShortNames = ["gs"], Verbs = ["get", "list", "watch", "patch", "delete"] },
                new V1APIResource { Name = AgonesApi.Fleets, Kind = "Fleet", Namespaced = true, SingularName = "fleet", ShortNames = ["flt"], Verbs = ["get", "list", "patch"] },
            ],
        }));

        // Discovery for every group served, as kubectl reads it before any request (issue 22).
        app.MapGet("/api", () => Results.Json(new { kind = "APIVersions", versions = new[] { "v1" }, serverAddressByClientCIDRs = new[] { new { clientCIDR = "0.0.0.0/0", serverAddress = "127.0.0.1" } } }));
        app.MapGet("/api/v1", () => Object(new V1APIResourceList
        {
            ApiVersion = "v1",
            Kind = "APIResourceList",
            GroupVersion = "v1",
            Resources = [new V1APIResource { Name = "events", Kind = "Event", Namespaced = true, SingularName = "event", ShortNames = ["ev"], Verbs = ["list"] }],
        }));

        // No Events are recorded yet: the list is answered (empty) so describe and get events work.
        app.MapGet("/api/v1/namespaces/{ns}/events", (GameServerRegistry registry) =>
            Object(new Corev1EventList { ApiVersion = "v1", Kind = "EventList", Metadata = new V1ListMeta { ResourceVersion = registry.CurrentVersion }, Items = [] }));
        app.MapGet($"/apis/{AgonesApi.AllocationGroup}/{AgonesApi.Version}", () => Object(new V1APIResourceList
        {
            ApiVersion = "v1",
            Kind = "APIResourceList",
            GroupVersion = $"{AgonesApi.AllocationGroup}/{AgonesApi.Version}",
            Resources =
            [
                new V1APIResource { Name = AgonesApi.Allocations, Kind = "GameServerAllocation", Namespaced = true, SingularName = "gameserverallocation", ShortNames = ["gsa"], Verbs = ["create"] },
            ],
        }));

        app.MapGet(GameServers, ListOrWatchGameServers);
        app.MapGet(GameServers + "/{name}", (string ns, string name, GameServerRegistry registry) =>
            Known(ns, registry) && registry.Get(name) is { } server ? Object(server) : NotFound(AgonesApi.GameServers, name));
        app.MapDelete(GameServers + "/{name}", (string ns, string name, GameServerRegistry registry) =>
        {
            if (!Known(ns, registry) || registry.Get(name) is null)
            {
                return NotFound(AgonesApi.GameServers, name);
            }

            registry.TryMove(name, GameServerState.Shutdown);
            return Success(name, AgonesApi.GameServers);
        });
        app.MapPatch(GameServers + "/{name}", PatchGameServer);

        app.MapGet(Fleets, (string ns, GameServerRegistry registry) => Object(new FleetList
        {
            Metadata = new V1ListMeta { ResourceVersion = registry.CurrentVersion },
            Items = Known(ns, registry) ? [registry.GetFleet()] : [],
        }));
        app.MapGet(Fleets + "/{name}", (string ns, string name, GameServerRegistry registry) =>
            Known(ns, registry) && registry.GetFleet() is { } fleet && fleet.Metadata.Name == name ? Object(fleet) : NotFound(AgonesApi.Fleets, name));
        app.MapPatch(Fleets + "/{name}", PatchFleet);

        app.MapPost(Allocations, Allocate);
        return app;
    }

    private static async Task ListOrWatchGameServers(
        HttpContext context, string ns, string? labelSelector, bool? watch, string? resourceVersion, int? timeoutSeconds,
        GameServerRegistry registry)
    {
        LabelSelector selector;
        try
        {
            selector = LabelSelector.Parse(labelSelector);
        }
        catch (FormatException ex)
        {
            await Error(StatusCodes.Status400BadRequest, "BadRequest", ex.Message).ExecuteAsync(context);
            return;
        }

        if (watch != true)
        {
            var (items, version) = Known(ns, registry) ? registry.List(selector) : ([], registry.CurrentVersion);
            await Object(new GameServerList { Metadata = new V1ListMeta { ResourceVersion = version }, Items = items }).ExecuteAsync(context);
            return;
        }

        using var timeout = timeoutSeconds is > 0
            ? CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted)
            : CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (timeoutSeconds is > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds.Value));
        }

        System.Threading.Channels.ChannelReader<WatchEvent> events;
        try
        {
            events = registry.Watch(resourceVersion, timeout.Token);
        }
        catch (ResourceVersionGoneException ex)
        {
            // As the real API server (kubernetes staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go, Watch:
            // "other errors must fail with a watch event of type ERROR", newErrWatcher): the watch is accepted with
            // 200, then one ERROR event carries a Status with code 410 (reason Expired), then the stream closes.
            context.Response.ContentType = "application/json";
            var status = JsonSerializer.Serialize(
                new StatusObject("Failure", ex.Message, "Expired", StatusCodes.Status410Gone, null), StatusJson);
            await context.Response.WriteAsync($"{{\"type\":\"ERROR\",\"object\":{status}}}\n", context.RequestAborted);
            return;
        }
        catch (ArgumentException ex)
        {
            await Error(StatusCodes.Status400BadRequest, "BadRequest", ex.Message).ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await foreach (var e in events.ReadAllAsync(timeout.Token))
            {
                if (!Known(ns, registry) || !selector.Matches(e.Object.Metadata.Labels))
                {
                    continue;
                }

                var line = $"{{\"type\":\"{e.Type}\",\"object\":{KubernetesJson.Serialize(e.Object)}}}\n";
                await context.Response.WriteAsync(line, timeout.Token);
                await context.Response.Body.FlushAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // the client went away or the timeout ended the watch, as on a real API server
        }
    }

    private static async Task<IResult> PatchGameServer(HttpRequest request, string ns, string name, GameServerRegistry registry)
    {
        if (!IsMergePatch(request))
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType", "only application/merge-patch+json is supported");
        }

        if (!Known(ns, registry) || registry.Get(name) is null)
        {
            return NotFound(AgonesApi.GameServers, name);
        }

        JsonObject? patch;
        try
        {
            patch = await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (JsonException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "BadRequest", $"the patch is not valid JSON: {ex.Message}");
        }

        var metadata = patch?["metadata"] as JsonObject;
        if (patch is null || patch.Any(p => p.Key != "metadata") || metadata is null || metadata.Any(p => p.Key is not ("labels" or "annotations")))
        {
            return Error(StatusCodes.Status422UnprocessableEntity, "Invalid", "only metadata.labels and metadata.annotations can be patched here");
        }

        var updated = registry.Update(name, server =>
        {
            server.Metadata.Labels = Merge(server.Metadata.Labels, metadata["labels"] as JsonObject);
            server.Metadata.Annotations = Merge(server.Metadata.Annotations, metadata["annotations"] as JsonObject);
        });
        return updated is null ? NotFound(AgonesApi.GameServers, name) : Object(updated);
    }

    private static async Task<IResult> PatchFleet(HttpRequest request, string ns, string name, GameServerRegistry registry)
    {
        if (!IsMergePatch(request))
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType", "only application/merge-patch+json is supported");
        }

        if (!Known(ns, registry) || registry.GetFleet().Metadata.Name != name)
        {
            return NotFound(AgonesApi.Fleets, name);
        }

        JsonNode? replicas;
        try
        {
            replicas = (await JsonNode.ParseAsync(request.Body))?["spec"]?["replicas"];
        }
        catch (JsonException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "BadRequest", $"the patch is not valid JSON: {ex.Message}");
        }

        if (replicas is not JsonValue value || !value.TryGetValue<int>(out var count) || count < 0)
        {
            return Error(StatusCodes.Status422UnprocessableEntity, "Invalid", "spec.replicas must be a non-negative integer");
        }

        return Object(registry.SetFleetReplicas(count));
    }

    private static async Task<IResult> Allocate(HttpRequest request, string ns, GameServerRegistry registry)
    {
        GameServerAllocation? allocation;
        try
        {
            using var reader = new StreamReader(request.Body);
            allocation = KubernetesJson.Deserialize<GameServerAllocation>(await reader.ReadToEndAsync(request.HttpContext.RequestAborted));
        }
        catch (JsonException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "BadRequest", $"the GameServerAllocation is not valid: {ex.Message}");
        }

        if (allocation?.Spec is null)
        {
            return Error(StatusCodes.Status400BadRequest, "BadRequest", "a GameServerAllocation needs a spec");
        }

        if (!Known(ns, registry))
        {
            return Error(StatusCodes.Status404NotFound, "NotFound", $"namespaces \"{ns}\" not found");
        }

        allocation.Status = registry.Allocate(allocation.Spec);
        allocation.Metadata ??= new V1ObjectMeta();
        allocation.Metadata.NamespaceProperty = ns;
        allocation.Metadata.CreationTimestamp = DateTime.UtcNow;
        return Results.Text(KubernetesJson.Serialize(allocation), "application/json", statusCode: StatusCodes.Status201Created);
    }

    private static Dictionary<string, string>? Merge(IDictionary<string, string>? current, JsonObject? patch)
    {
        var merged = new Dictionary<string, string>(current ?? new Dictionary<string, string>());
        foreach (var (key, value) in patch ?? [])
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value.ToString();
            }
        }

        return merged;
    }

    private static bool IsMergePatch(HttpRequest request) =>
        request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase) == true;

    private static bool Known(string ns, GameServerRegistry registry) => ns == registry.Namespace;

    private static V1APIGroup Group(string name) => new()
    {
        Name = name,
        Versions = [new V1GroupVersionForDiscovery { GroupVersion = $"{name}/{AgonesApi.Version}", Version = AgonesApi.Version }],
        PreferredVersion = new V1GroupVersionForDiscovery { GroupVersion = $"{name}/{AgonesApi.Version}", Version = AgonesApi.Version },
    };

    private static IResult Object(object value) => Results.Text(KubernetesJson.Serialize(value), "application/json");

    private static IResult NotFound(string resource, string name) =>
        Error(StatusCodes.Status404NotFound, "NotFound", $"{resource}.{AgonesApi.Group} \"{name}\" not found", name, resource);

    /// <summary>A Kubernetes <c>Status</c> object, as the API server answers errors.</summary>
    public static IResult Error(int code, string reason, string message, string? name = null, string? kind = null) =>
        Results.Json(new StatusObject("Failure", message, reason, code, name is null ? null : new StatusDetails(name, AgonesApi.Group, kind)),
            StatusJson, "application/json", code);

    private static IResult Success(string name, string kind) =>
        Results.Json(new StatusObject("Success", null, null, StatusCodes.Status200OK, new StatusDetails(name, AgonesApi.Group, kind)), StatusJson);

    private static readonly JsonSerializerOptions StatusJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    // KubernetesClient reads V1Status but does not write it, so the shape is spelled out here.
    private sealed record StatusObject(string Status, string? Message, string? Reason, int Code, StatusDetails? Details)
    {
        public string Kind => "Status";
        public string ApiVersion => "v1";
        public object Metadata { get; } = new();
    }

    private sealed record StatusDetails(string Name, string Group, string? Kind);
}
