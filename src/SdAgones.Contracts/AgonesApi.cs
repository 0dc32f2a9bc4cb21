namespace SdAgones.Contracts;

/// <summary>
/// Names of the Agones API groups, kinds, labels, annotations and ports the platform relies on: the gateway and the
/// cruiser read them, the agent sets them, LocalAgones serves them and the manifests tool deploys them, so a rename
/// happens here once (https://agones.dev/site/docs/reference/gameserver/).
/// </summary>
public static class AgonesApi
{
    public const string Group = "agones.dev";
    public const string Version = "v1";
    public const string GameServers = "gameservers";
    public const string Fleets = "fleets";
    public const string AllocationGroup = "allocation.agones.dev";
    public const string Allocations = "gameserverallocations";
    public const string AutoscalingGroup = "autoscaling.agones.dev";

    /// <summary>
    /// The path at which the cruiser answers the Webhook FleetAutoscaler's <c>FleetAutoscaleReview</c> (its URL locally,
    /// the service's <c>path</c> on GKE).
    /// </summary>
    public const string FleetAutoscaleWebhookPath = "/fleetautoscale";

    /// <summary>Label Agones puts on every GameServer (and its pod) of a Fleet.</summary>
    public const string FleetLabel = "agones.dev/fleet";

    /// <summary>
    /// Label on every GameServer (and its Fleet's template) with the slug of the profile it runs
    /// (<c>Profiles:N:Slug</c>): LocalAgones and the GKE Fleets set it, so a GameServer tells which profile it is.
    /// </summary>
    public const string ProfileLabel = "sdagones.io/profile";

    /// <summary>Label holding the person's sanitised, collision-free label value (<see cref="PersonLabel"/>).</summary>
    public const string UserLabel = "user";

    /// <summary>Set by Agones on every allocation (pkg/gameserverallocations: <c>LastAllocatedAnnotationKey</c>).</summary>
    public const string LastAllocatedAnnotation = "agones.dev/last-allocated";

    /// <summary>Annotation holding the person's full identity (an email), which labels cannot hold.</summary>
    public const string UserAnnotation = "sdagones.dev/user";

    /// <summary>Annotation with the allocation time (RFC 3339).</summary>
    public const string AllocatedAtAnnotation = "sdagones.dev/allocated-at";

    /// <summary>
    /// The key the agent gives the SDK's <c>SetAnnotation</c>; the SDK prefixes it with <c>agones.dev/sdk-</c>, so the
    /// GameServer carries <see cref="BusyAnnotation"/>.
    /// </summary>
    public const string BusyAnnotationKey = "busy";

    /// <summary>Prefix the SDK sidecar puts before every annotation key set through it (pkg/sdkserver: <c>metadataPrefix</c>).</summary>
    public const string SdkAnnotationPrefix = "agones.dev/sdk-";

    /// <summary>Annotation the in-pod agent sets through the SDK: "true" while a generation runs.</summary>
    public const string BusyAnnotation = SdkAnnotationPrefix + BusyAnnotationKey;

    /// <summary>Name of the port that serves the WebUI; the gateway picks by name, never by position.</summary>
    public const string WebUIPortName = "sd";

    /// <summary>The environment variable Agones sets in every container of a GameServer's pod: the SDK sidecar's REST port.</summary>
    public const string SdkHttpPortVariable = "AGONES_SDK_HTTP_PORT";
}
