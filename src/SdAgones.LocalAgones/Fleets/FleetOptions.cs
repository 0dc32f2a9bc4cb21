using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>The one local Fleet, its Buffer autoscaler and how its runtimes start (section <c>Fleet</c>).</summary>
public sealed class FleetOptions : IValidatableObject
{
    public const string Section = "Fleet";

    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string Name { get; set; } = RuntimeFleet.Name;

    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string Namespace { get; set; } = "default";

    /// <summary>Ready runtimes kept waiting beyond the allocated ones (FleetAutoscaler Buffer policy).</summary>
    [Range(0, 1000)]
    public int BufferSize { get; set; } = 1;

    [Range(0, 1000)]
    public int MinReplicas { get; set; } = 1;

    [Range(0, 1000)]
    public int MaxReplicas { get; set; } = 4;

    /// <summary>When false the Fleet keeps whatever <c>spec.replicas</c> is patched to, as with no FleetAutoscaler.</summary>
    public bool Autoscale { get; set; } = true;

    /// <summary>Delay before a new runtime's processes start: a GPU node's scale-up and image pull, felt locally.</summary>
    public TimeSpan StartDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How often the autoscaler and the fleet controller run (Agones' FleetAutoscaler default is 30 s).</summary>
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The shared volume (Filestore on GKE): each runtime's WebUI keeps its data below it.</summary>
    public string StorageRoot { get; set; } = Path.Combine(".data", "storage");

    /// <summary>The stand-in WebUI, run once per runtime with <c>dotnet</c>.</summary>
    public string WebUIAssembly { get; set; } = BuiltAssembly("WebUIAssembly");

    /// <summary>The in-pod agent (SdAgones.Agent), run once per runtime beside the WebUI with <c>dotnet</c>.</summary>
    public string AgentAssembly { get; set; } = BuiltAssembly("AgentAssembly");

    /// <summary>How long after the agent the WebUI process starts: a real WebUI loading its model, felt locally.</summary>
    public TimeSpan WebUIStartDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Time per sampling step of the stand-in WebUI.</summary>
    public TimeSpan WebUIStepDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Delay before the SDK sidecar applies a state or metadata call (Agones' <c>request-rate-limit</c>, 500 ms by
    /// default, cmd/sdk-server/main.go).
    /// </summary>
    public TimeSpan SdkRequestRateLimit { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long the GameServer controller takes to move RequestReady to Ready (Agones' controller work queue waits
    /// 20 ms at first, pkg/gameservers/controller.go <c>fastRateLimiter</c>; more on a busy cluster).
    /// </summary>
    public TimeSpan RequestReadyDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long each runtime's stand-in WebUI takes to load its model after starting (passed as
    /// <c>WebUI:ModelLoadDelay</c>): its page answers at once, the API only once the model is loaded.
    /// </summary>
    public TimeSpan WebUIModelLoadDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(1, 3600)]
    public int HealthPeriodSeconds { get; set; } = 5;

    [Range(1, 100)]
    public int HealthFailureThreshold { get; set; } = 3;

    [Range(0, 3600)]
    public int HealthInitialDelaySeconds { get; set; } = 5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinReplicas > MaxReplicas)
        {
            yield return new ValidationResult($"Fleet:MinReplicas ({MinReplicas}) must not exceed Fleet:MaxReplicas ({MaxReplicas}).", [nameof(MinReplicas)]);
        }

        if (StartDelay < TimeSpan.Zero)
        {
            yield return new ValidationResult("Fleet:StartDelay must not be negative.", [nameof(StartDelay)]);
        }

        if (SyncInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Fleet:SyncInterval must be positive.", [nameof(SyncInterval)]);
        }

        foreach (var (key, value) in new[]
                 {
                     (nameof(SdkRequestRateLimit), SdkRequestRateLimit), (nameof(RequestReadyDelay), RequestReadyDelay),
                     (nameof(WebUIModelLoadDelay), WebUIModelLoadDelay),
                 })
        {
            if (value < TimeSpan.Zero || value > TimeSpan.FromHours(1))
            {
                yield return new ValidationResult($"Fleet:{key} must be between 00:00:00 and 01:00:00; got {value:c}.", [key]);
            }
        }

        if (WebUIStartDelay < TimeSpan.Zero)
        {
            yield return new ValidationResult("Fleet:WebUIStartDelay must not be negative.", [nameof(WebUIStartDelay)]);
        }

        if (!File.Exists(AgentAssembly))
        {
            yield return new ValidationResult($"Fleet:AgentAssembly '{AgentAssembly}' does not exist: build the solution first.", [nameof(AgentAssembly)]);
        }

        if (!File.Exists(WebUIAssembly))
        {
            yield return new ValidationResult($"Fleet:WebUIAssembly '{WebUIAssembly}' does not exist: build the solution first.", [nameof(WebUIAssembly)]);
        }
    }

    private static string BuiltAssembly(string key) =>
        typeof(FleetOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == key)?.Value ?? "";
}
