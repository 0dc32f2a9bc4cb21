namespace SdAgones.Contracts;

/// <summary>
/// The Fleet of runtimes and the layout of one runtime's pod: what the manifests deploy, what LocalAgones imitates and
/// what the agent and the gateway take as their defaults, so a runtime started by either looks the same to both.
/// </summary>
public static class RuntimeFleet
{
    /// <summary>The one Fleet the gateway allocates from and the autoscaler keeps topped up.</summary>
    public const string Name = "sd-agones-fleet";

    /// <summary>The container that serves the WebUI (the GameServer's <c>spec.container</c>).</summary>
    public const string WebUIContainer = "stable-diffusion-webui";

    /// <summary>The in-pod agent's container, and its image's repository.</summary>
    public const string AgentContainer = "sdagones-agent";

    /// <summary>The WebUI's port inside the pod (A1111's <c>--port</c>), named <see cref="AgonesApi.WebUIPortName"/>.</summary>
    public const int WebUIPort = 7860;

    /// <summary>Where the shared volume is mounted (the share's <c>users/</c> for the agent and the gateway, <c>models/</c> for the WebUI).</summary>
    public const string StorageRoot = "/sd_dir";

    /// <summary>The share's folder of people's folders (<c>users/&lt;label&gt;/</c>).</summary>
    public const string UsersFolder = "users";

    /// <summary>The share's folder of models, read-only to the runtimes.</summary>
    public const string ModelsFolder = "models";

    /// <summary>The pod-local folder the WebUI writes outputs to and reads inputs from.</summary>
    public const string Workspace = "/workspace";

    /// <summary>The UID and GID both runtime containers run as (.NET's "app" user; deploy/sd-webui/Dockerfile's WEBUI_UID).</summary>
    public const int RuntimeUid = 1654;
}

/// <summary>
/// Agones' health check of a runtime: the agent must ping within every <see cref="PeriodSeconds"/>, and the Fleet
/// template tells Agones the same period. Both read it here (https://agones.dev/site/docs/guides/health-checking/).
/// </summary>
public static class RuntimeHealth
{
    /// <summary>The Fleet's <c>health.periodSeconds</c>, and the agent's default health period.</summary>
    public const int PeriodSeconds = 10;

    /// <summary>The Fleet's <c>health.failureThreshold</c>: periods without a ping before the runtime is Unhealthy.</summary>
    public const int FailureThreshold = 6;

    /// <summary>
    /// The Fleet's <c>health.initialDelaySeconds</c>. Agones counts missed pings from the SDK sidecar's start; the agent
    /// (listed first, so the kubelet pulls its small image before the multi-GB WebUI image) pings from its own start.
    /// The delay covers a cold node pulling images behind other pods, and a broken runtime is never Ready, so a long
    /// delay costs a GPU for minutes, not a person.
    /// </summary>
    public const int InitialDelaySeconds = 600;

    /// <summary>The agent's default time between pings: well inside <see cref="Period"/>.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(2);

    public static TimeSpan Period => TimeSpan.FromSeconds(PeriodSeconds);
}
