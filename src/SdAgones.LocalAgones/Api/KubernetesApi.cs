using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using SdAgones.LocalAgones.Fleets;
using SdAgones.Runtimes.Agones;
using AgonesFleet = SdAgones.Runtimes.Agones.Fleet;

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

    private const string AllGameServers = $"/apis/{AgonesApi.Group}/{AgonesApi.Version}/{AgonesApi.GameServers}";
    private const string AllFleets = $"/apis/{AgonesApi.Group}/{AgonesApi.Version}/{AgonesApi.Fleets}";
    private const string Autoscalers = $"/apis/{Discovery.AutoscalingGroup}/{AgonesApi.Version}/namespaces/{{ns}}/{Discovery.FleetAutoscalers}";
    private const string AllAutoscalers = $"/apis/{Discovery.AutoscalingGroup}/{AgonesApi.Version}/{Discovery.FleetAutoscalers}";

    public static WebApplication MapKubernetesApi(this WebApplication app)
    {
        app.MapDiscovery();
        app.MapOpenApi();

        app.MapGet("/api/v1/namespaces/{ns}/events", (HttpRequest request, string ns, EventLog events, GameServerRegistry registry, TimeProvider time) =>
            ListEvents(request, ns, events, registry, time));
        app.MapGet("/api/v1/events", (HttpRequest request, EventLog events, GameServerRegistry registry, TimeProvider time) =>
            ListEvents(request, null, events, registry, time));

        app.MapGet(GameServers, (HttpContext context, string ns, GameServerRegistry registry, TimeProvider time) => ListOrWatchGameServers(context, ns, registry, time));
        app.MapGet(AllGameServers, (HttpContext context, GameServerRegistry registry, TimeProvider time) => ListOrWatchGameServers(context, null, registry, time));
        app.MapGet(GameServers + "/{name}", (HttpRequest request, string ns, string name, GameServerRegistry registry, TimeProvider time) =>
            Known(ns, registry) && registry.Get(name) is { } server
                ? Answer(request, server, [server], Tables.GameServers, registry.CurrentVersion, time)
                : NotFound(AgonesApi.GameServers, name));
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

        app.MapGet(Fleets, (HttpRequest request, string ns, GameServerRegistry registry, TimeProvider time) => ListFleets(request, ns, registry, time));
        app.MapGet(AllFleets, (HttpRequest request, GameServerRegistry registry, TimeProvider time) => ListFleets(request, null, registry, time));
        app.MapGet(Fleets + "/{name}", (HttpRequest request, string ns, string name, GameServerRegistry registry, TimeProvider time) =>
            Known(ns, registry) && registry.GetFleet(name) is { } fleet
                ? Answer(request, fleet, [fleet], Tables.Fleets, registry.CurrentVersion, time)
                : NotFound(AgonesApi.Fleets, name));
        app.MapPatch(Fleets + "/{name}", PatchFleet);
        app.MapGet(Fleets + "/{name}/scale", (string ns, string name, GameServerRegistry registry) =>
            Known(ns, registry) && registry.GetFleet(name) is { } fleet ? Object(Scale(fleet)) : NotFound(AgonesApi.Fleets, name));
        app.MapPut(Fleets + "/{name}/scale", ScaleFleet);
        app.MapPatch(Fleets + "/{name}/scale", ScaleFleet);

        app.MapGet(Autoscalers, (HttpRequest request, string ns, GameServerRegistry registry, LocalFleetAutoscaler autoscaler, TimeProvider time) =>
            ListAutoscalers(request, ns, registry, autoscaler, time));
        app.MapGet(AllAutoscalers, (HttpRequest request, GameServerRegistry registry, LocalFleetAutoscaler autoscaler, TimeProvider time) =>
            ListAutoscalers(request, null, registry, autoscaler, time));
        app.MapGet(Autoscalers + "/{name}", (HttpRequest request, string ns, string name, GameServerRegistry registry, LocalFleetAutoscaler fleetAutoscaler, TimeProvider time) =>
            Known(ns, registry) && fleetAutoscaler.DescribeAll(registry).FirstOrDefault(a => a["metadata"]?["name"]?.ToString() == name) is { } autoscaler
                ? Answer(request, autoscaler, [autoscaler], Tables.FleetAutoscalers, registry.CurrentVersion, time)
                : Error(StatusCodes.Status404NotFound, "NotFound", $"{Discovery.FleetAutoscalers}.{Discovery.AutoscalingGroup} \"{name}\" not found", name, Discovery.FleetAutoscalers));

        app.MapPost(Allocations, Allocate);
        return app;
    }

    private static IResult ListEvents(HttpRequest request, string? ns, EventLog events, GameServerRegistry registry, TimeProvider time)
    {
        List<Corev1Event> items;
        try
        {
            items = events.List(ns, request.Query["fieldSelector"]);
        }
        catch (FormatException ex)
        {
            return Error(StatusCodes.Status400BadRequest, "BadRequest", ex.Message);
        }

        return Answer(request, new Corev1EventList { ApiVersion = "v1", Kind = "EventList", Metadata = new V1ListMeta { ResourceVersion = registry.CurrentVersion }, Items = items },
            items, Tables.Events, registry.CurrentVersion, time);
    }

    private static IResult ListFleets(HttpRequest request, string? ns, GameServerRegistry registry, TimeProvider time)
    {
        List<AgonesFleet> items = ns is null || Known(ns, registry) ? registry.GetFleets() : [];
        return Answer(request, new FleetList { Metadata = new V1ListMeta { ResourceVersion = registry.CurrentVersion }, Items = items },
            items, Tables.Fleets, registry.CurrentVersion, time);
    }

    private static IResult ListAutoscalers(HttpRequest request, string? ns, GameServerRegistry registry, LocalFleetAutoscaler fleetAutoscaler, TimeProvider time)
    {
        List<JsonObject> items = ns is null || Known(ns, registry) ? fleetAutoscaler.DescribeAll(registry) : [];
        var list = new JsonObject
        {
            ["apiVersion"] = $"{Discovery.AutoscalingGroup}/{AgonesApi.Version}",
            ["kind"] = "FleetAutoscalerList",
            ["metadata"] = new JsonObject { ["resourceVersion"] = registry.CurrentVersion },
            ["items"] = new JsonArray(items.Select(i => (JsonNode)i.DeepClone()).ToArray()),
        };
        return Answer(request, list, items, Tables.FleetAutoscalers, registry.CurrentVersion, time);
    }

    private static V1Scale Scale(AgonesFleet fleet) => new()
    {
        ApiVersion = "autoscaling/v1",
        Kind = "Scale",
        Metadata = new V1ObjectMeta
        {
            Name = fleet.Metadata.Name,
            NamespaceProperty = fleet.Metadata.NamespaceProperty,
            Uid = fleet.Metadata.Uid,
            ResourceVersion = fleet.Metadata.ResourceVersion,
            CreationTimestamp = fleet.Metadata.CreationTimestamp,
        },
        Spec = new V1ScaleSpec { Replicas = fleet.Spec.Replicas },
        Status = new V1ScaleStatus { Replicas = fleet.Status.Replicas, Selector = $"{AgonesApi.FleetLabel}={fleet.Metadata.Name}" },
    };

    // The Fleet's scale subresource (its CRD maps .spec.replicas and .status.replicas): PUT a Scale, or PATCH one
    // (merge or strategic-merge, which for a Scale are the same), as kubectl scale does.
    private static async Task<IResult> ScaleFleet(HttpRequest request, string ns, string name, GameServerRegistry registry)
    {
        if (!Known(ns, registry) || registry.GetFleet(name) is null)
        {
            return NotFound(AgonesApi.Fleets, name);
        }

        var patch = HttpMethods.IsPatch(request.Method);
        if (patch && !IsMergePatch(request) && request.ContentType?.StartsWith("application/strategic-merge-patch+json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType", "a Scale is patched with application/merge-patch+json or application/strategic-merge-patch+json");
        }

        var (count, invalid) = await ReadReplicasAsync(request, $"Scale.autoscaling \"{name}\"");
        if (invalid is not null)
        {
            return invalid;
        }

        return registry.SetFleetReplicas(name, count) is { } scaled ? Object(Scale(scaled)) : NotFound(AgonesApi.Fleets, name);
    }

    /// <summary>The object as JSON, or the rows as a Table when the client asked for one.</summary>
    private static IResult Answer(HttpRequest request, object value, IEnumerable<object> rows, PrinterColumn[] columns, string version, TimeProvider time) =>
        Tables.Wanted(request)
            ? Results.Text(Tables.Table(rows, columns, version, request.Query["includeObject"], time.GetUtcNow()).ToJsonString(), "application/json")
            : Object(value);

    private static async Task ListOrWatchGameServers(HttpContext context, string? ns, GameServerRegistry registry, TimeProvider time)
    {
        var query = context.Request.Query;
        var table = Tables.Wanted(context.Request);
        string? includeObject = query["includeObject"];
        LabelSelector selector;
        try
        {
            selector = LabelSelector.Parse(query["labelSelector"]);
        }
        catch (FormatException ex)
        {
            await Error(StatusCodes.Status400BadRequest, "BadRequest", ex.Message).ExecuteAsync(context);
            return;
        }

        // The fields the API server indexes for every object: metadata.name and metadata.namespace (kubectl delete
        // --wait watches its object by name).
        string? onlyName = null;
        foreach (var term in ((string?)query["fieldSelector"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = term.Split(term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (parts.Length == 2 && parts[0] == "metadata.name")
            {
                onlyName = parts[1];
            }
            else if (parts.Length == 2 && parts[0] == "metadata.namespace")
            {
                ns ??= parts[1];
            }
            else
            {
                await Error(StatusCodes.Status400BadRequest, "BadRequest", $"field label not supported: {term} (use metadata.name or metadata.namespace)").ExecuteAsync(context);
                return;
            }
        }

        var inScope = ns is null || Known(ns, registry);
        if (!string.Equals(query["watch"], "true", StringComparison.OrdinalIgnoreCase) && query["watch"] != "1")
        {
            var (items, version) = inScope ? registry.List(selector) : ([], registry.CurrentVersion);
            items = items.Where(s => onlyName is null || s.Name == onlyName).ToList();
            await Answer(context.Request, new GameServerList { Metadata = new V1ListMeta { ResourceVersion = version }, Items = items },
                items, Tables.GameServers, version, time).ExecuteAsync(context);
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (int.TryParse(query["timeoutSeconds"], out var timeoutSeconds) && timeoutSeconds > 0)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
        }

        System.Threading.Channels.ChannelReader<WatchEvent> events;
        try
        {
            events = registry.Watch(query["resourceVersion"], timeout.Token);
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
                if (!inScope || !selector.Matches(e.Object.Metadata.Labels) || (onlyName is not null && e.Object.Name != onlyName))
                {
                    continue;
                }

                var body = table
                    ? Tables.Table([e.Object], Tables.GameServers, e.Object.Metadata.ResourceVersion, includeObject, time.GetUtcNow()).ToJsonString()
                    : KubernetesJson.Serialize(e.Object);
                var line = $"{{\"type\":\"{e.Type}\",\"object\":{body}}}\n";
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

        if (!Known(ns, registry) || registry.GetFleet(name) is null)
        {
            return NotFound(AgonesApi.Fleets, name);
        }

        var (count, invalid) = await ReadReplicasAsync(request, $"Fleet.{AgonesApi.Group} \"{name}\"");
        if (invalid is not null)
        {
            return invalid;
        }

        return registry.SetFleetReplicas(name, count) is { } patched ? Object(patched) : NotFound(AgonesApi.Fleets, name);
    }

    private static async Task<IResult> Allocate(HttpRequest request, string ns, GameServerRegistry registry, TimeProvider time)
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
        allocation.Metadata.CreationTimestamp = time.GetUtcNow().UtcDateTime;
        if (allocation.Status.State == AllocationState.Allocated)
        {
            // As Agones names the answer (pkg/gameserverallocations/allocator.go): after the GameServer it took.
            allocation.Metadata.Name = allocation.Status.GameServerName;
        }

        return Results.Text(KubernetesJson.Serialize(allocation), "application/json", statusCode: StatusCodes.Status201Created);
    }

    // spec.replicas of a Fleet patch or a Scale: a non-negative integer, or the error the API server would give.
    private static async Task<(int Count, IResult? Error)> ReadReplicasAsync(HttpRequest request, string what)
    {
        JsonNode? replicas;
        try
        {
            replicas = (await JsonNode.ParseAsync(request.Body))?["spec"]?["replicas"];
        }
        catch (JsonException ex)
        {
            return (0, Error(StatusCodes.Status400BadRequest, "BadRequest", $"the body is not valid JSON: {ex.Message}"));
        }

        return replicas is JsonValue value && value.TryGetValue<int>(out var count) && count >= 0
            ? (count, null)
            : (0, Error(StatusCodes.Status422UnprocessableEntity, "Invalid", $"{what} is invalid: spec.replicas must be a non-negative integer"));
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
