using System.Globalization;
using System.Text.Json.Nodes;
using k8s;

namespace SdAgones.LocalAgones.Api;

/// <summary>One column of a resource's table, as a CRD's <c>additionalPrinterColumns</c> declares it.</summary>
internal sealed record PrinterColumn(string Name, string Type, string Description, Func<JsonNode, JsonNode?> Read, int Priority = 0)
{
    /// <summary>A column read by a simple JSONPath such as <c>.status.ports[0].port</c>.</summary>
    public static PrinterColumn At(string name, string type, string jsonPath, int priority = 0) =>
        new(name, type, jsonPath, node => Tables.Select(node, jsonPath), priority);
}

/// <summary>
/// Server-side printing: a list or watch event answered as a <c>meta.k8s.io/v1 Table</c> when the client asks for one
/// (<c>Accept: application/json;as=Table;g=meta.k8s.io;v=v1</c>, as kubectl get does), with the columns Agones' CRDs
/// declare (install/helm/agones/templates/crds/*.yaml in googleforgames/agones).
/// </summary>
internal static class Tables
{
    private static readonly PrinterColumn AgeColumn = PrinterColumn.At("Age", "date", ".metadata.creationTimestamp");

    /// <summary>GameServer: State, Address, Port, Node, Age.</summary>
    public static readonly PrinterColumn[] GameServers =
    [
        PrinterColumn.At("State", "string", ".status.state"),
        PrinterColumn.At("Address", "string", ".status.address"),
        PrinterColumn.At("Port", "string", ".status.ports[0].port"),
        PrinterColumn.At("Node", "string", ".status.nodeName"),
        AgeColumn,
    ];

    /// <summary>Fleet: Scheduling, Desired, Current, Allocated, Ready, Age.</summary>
    public static readonly PrinterColumn[] Fleets =
    [
        PrinterColumn.At("Scheduling", "string", ".spec.scheduling"),
        PrinterColumn.At("Desired", "integer", ".spec.replicas"),
        PrinterColumn.At("Current", "integer", ".status.replicas"),
        PrinterColumn.At("Allocated", "integer", ".status.allocatedReplicas"),
        PrinterColumn.At("Ready", "integer", ".status.readyReplicas"),
        AgeColumn,
    ];

    /// <summary>FleetAutoscaler: its CRD declares no printer columns, so the API server's default (Name, Age).</summary>
    public static readonly PrinterColumn[] FleetAutoscalers = [AgeColumn];

    /// <summary>Event: the columns of the API server's own printer for core/v1 Events (pkg/printers/internalversion).</summary>
    public static readonly PrinterColumn[] Events =
    [
        PrinterColumn.At("Last Seen", "date", ".lastTimestamp"),
        PrinterColumn.At("Type", "string", ".type"),
        PrinterColumn.At("Reason", "string", ".reason"),
        new("Object", "string", "The object this event is about", e =>
            $"{e["involvedObject"]?["kind"]?.ToString().ToLowerInvariant()}/{e["involvedObject"]?["name"]}"),
        new("Source", "string", "The component reporting this event", e => e["source"]?["component"]?.DeepClone(), Priority: 1),
        PrinterColumn.At("Message", "string", ".message"),
    ];

    /// <summary>True when the client asked for a Table (kubectl get, describe's lists do not).</summary>
    public static bool Wanted(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Split(',').Any(part =>
        {
            var p = part.Replace(" ", "", StringComparison.Ordinal);
            return p.Contains(";as=Table", StringComparison.Ordinal) && p.Contains(";g=meta.k8s.io", StringComparison.Ordinal)
                   && p.Contains(";v=v1", StringComparison.Ordinal) && !p.Contains(";v=v1beta1", StringComparison.Ordinal);
        }));

    /// <summary>A Table of <paramref name="items"/>; <paramref name="includeObject"/> as the API server takes it (None, Object, default PartialObjectMetadata).</summary>
    public static JsonObject Table(
        IEnumerable<object> items, PrinterColumn[] columns, string resourceVersion, string? includeObject, DateTimeOffset now)
    {
        var definitions = new JsonArray(new JsonObject
        {
            ["name"] = "Name",
            ["type"] = "string",
            ["format"] = "name",
            ["description"] = "Name must be unique within a namespace.",
            ["priority"] = 0,
        });
        foreach (var column in columns)
        {
            definitions.Add(new JsonObject
            {
                ["name"] = column.Name,
                ["type"] = column.Type,
                ["format"] = "",
                ["description"] = column.Description,
                ["priority"] = column.Priority,
            });
        }

        var rows = new JsonArray();
        foreach (var item in items)
        {
            var node = JsonNode.Parse(KubernetesJson.Serialize(item))!;
            var cells = new JsonArray(node["metadata"]?["name"]?.DeepClone());
            foreach (var column in columns)
            {
                var value = column.Read(node);
                cells.Add(column.Type == "date" && value is not null ? Age(value, now) : value?.DeepClone());
            }

            var row = new JsonObject { ["cells"] = cells };
            if (!string.Equals(includeObject, "None", StringComparison.Ordinal))
            {
                row["object"] = string.Equals(includeObject, "Object", StringComparison.Ordinal)
                    ? node
                    : new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = node["metadata"]?.DeepClone(),
                    };
            }

            rows.Add(row);
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    /// <summary>Reads <c>.a.b[0].c</c> from a JSON object; null when any step is missing.</summary>
    public static JsonNode? Select(JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (var step in path.TrimStart('.').Split('.'))
        {
            var bracket = step.IndexOf('[', StringComparison.Ordinal);
            current = current?[bracket < 0 ? step : step[..bracket]];
            if (bracket >= 0 && current is JsonArray array)
            {
                var index = int.Parse(step[(bracket + 1)..^1], CultureInfo.InvariantCulture);
                current = index < array.Count ? array[index] : null;
            }
            else if (bracket >= 0)
            {
                current = null;
            }
        }

        return current;
    }

    // As the API server prints a date column: the age in Kubernetes' short form (apimachinery/pkg/util/duration).
    private static JsonNode? Age(JsonNode timestamp, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(timestamp.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return null;
        }

        return ShortDuration(now - at);
    }

    internal static string ShortDuration(TimeSpan d)
    {
        if (d < TimeSpan.Zero)
        {
            return "0s";
        }

        return d switch
        {
            { TotalMinutes: < 2 } => $"{(int)d.TotalSeconds}s",
            { TotalMinutes: < 10 } => d.Seconds == 0 ? $"{(int)d.TotalMinutes}m" : $"{(int)d.TotalMinutes}m{d.Seconds}s",
            { TotalHours: < 3 } => $"{(int)d.TotalMinutes}m",
            { TotalHours: < 8 } => d.Minutes == 0 ? $"{(int)d.TotalHours}h" : $"{(int)d.TotalHours}h{d.Minutes}m",
            { TotalHours: < 48 } => $"{(int)d.TotalHours}h",
            { TotalDays: < 8 } => d.Hours == 0 ? $"{(int)d.TotalDays}d" : $"{(int)d.TotalDays}d{d.Hours}h",
            _ => $"{(int)d.TotalDays}d",
        };
    }
}
