using k8s;
using k8s.Models;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Api;

/// <summary>
/// The discovery documents kubectl reads before any request: <c>/version</c>, <c>/api</c>, <c>/apis</c> and one
/// resource list per group-version, with Agones' short names and the Fleet's <c>scale</c> subresource.
/// </summary>
internal static class Discovery
{
    public const string AutoscalingGroup = "autoscaling.agones.dev";
    public const string FleetAutoscalers = "fleetautoscalers";

    public static WebApplication MapDiscovery(this WebApplication app)
    {
        app.MapGet("/version", () => Results.Json(new
        {
            major = "1",
            minor = "31",
            gitVersion = "v1.31.0-localagones",
            platform = "linux/amd64",
        }));
        app.MapGet("/api", () => Results.Json(new { kind = "APIVersions", versions = new[] { "v1" }, serverAddressByClientCIDRs = new[] { new { clientCIDR = "0.0.0.0/0", serverAddress = "127.0.0.1" } } }));
        app.MapGet("/api/v1", () => Object(new V1APIResourceList
        {
            ApiVersion = "v1",
            Kind = "APIResourceList",
            GroupVersion = "v1",
            Resources = [new V1APIResource { Name = "events", Kind = "Event", Namespaced = true, SingularName = "event", ShortNames = ["ev"], Verbs = ["list"] }],
        }));
        app.MapGet("/apis", () => Object(new V1APIGroupList
        {
            ApiVersion = "v1",
            Kind = "APIGroupList",
            Groups = [Group(AgonesApi.Group), Group(AgonesApi.AllocationGroup), Group(AutoscalingGroup)],
        }));
        app.MapGet($"/apis/{AgonesApi.Group}/{AgonesApi.Version}", () => Resources(AgonesApi.Group,
            new V1APIResource { Name = AgonesApi.GameServers, Kind = GameServer.KindName, Namespaced = true, SingularName = "gameserver", ShortNames = ["gs"], Verbs = ["get", "list", "watch", "patch", "delete"] },
            new V1APIResource { Name = AgonesApi.Fleets, Kind = "Fleet", Namespaced = true, SingularName = "fleet", ShortNames = ["flt"], Verbs = ["get", "list", "patch"] },
            new V1APIResource { Name = $"{AgonesApi.Fleets}/scale", Kind = "Scale", Group = "autoscaling", Version = "v1", Namespaced = true, SingularName = "", Verbs = ["get", "patch", "update"] }));
        app.MapGet($"/apis/{AgonesApi.AllocationGroup}/{AgonesApi.Version}", () => Resources(AgonesApi.AllocationGroup,
            new V1APIResource { Name = AgonesApi.Allocations, Kind = "GameServerAllocation", Namespaced = true, SingularName = "gameserverallocation", ShortNames = ["gsa"], Verbs = ["create"] }));
        app.MapGet($"/apis/{AutoscalingGroup}/{AgonesApi.Version}", () => Resources(AutoscalingGroup,
            new V1APIResource { Name = FleetAutoscalers, Kind = "FleetAutoscaler", Namespaced = true, SingularName = "fleetautoscaler", ShortNames = ["fas"], Verbs = ["get", "list"] }));
        return app;
    }

    private static IResult Resources(string group, params V1APIResource[] resources) => Object(new V1APIResourceList
    {
        ApiVersion = "v1",
        Kind = "APIResourceList",
        GroupVersion = $"{group}/{AgonesApi.Version}",
        Resources = resources,
    });

    private static V1APIGroup Group(string name) => new()
    {
        Name = name,
        Versions = [new V1GroupVersionForDiscovery { GroupVersion = $"{name}/{AgonesApi.Version}", Version = AgonesApi.Version }],
        PreferredVersion = new V1GroupVersionForDiscovery { GroupVersion = $"{name}/{AgonesApi.Version}", Version = AgonesApi.Version },
    };

    private static IResult Object(object value) => Results.Text(KubernetesJson.Serialize(value), "application/json");
}
