using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace SdAgones.AppHost;

/// <summary>Which Redis-protocol server the platform uses.</summary>
public enum CacheMode
{
    /// <summary>An embedded Garnet server started as a resource: no Docker, no installed Redis.</summary>
    Garnet,

    /// <summary>An existing server named by <c>ConnectionStrings:cache</c> (Memorystore, Debian's redis-server).</summary>
    External,
}

/// <summary>
/// The local platform's settings, section <c>Platform</c>; each can be overridden from the command line
/// or the environment (<c>Platform__IdleTimeout=00:00:20</c>). Read once, checked at start-up.
/// </summary>
public sealed class PlatformSettings
{
    public const string Section = "Platform";

    /// <summary>Public port of the gateway; 0 lets the orchestrator pick one (tests).</summary>
    [Range(0, 65535)]
    public int GatewayPort { get; set; } = 8080;

    /// <summary>Port of LocalAgones (the local Kubernetes/Agones API); 0 lets the orchestrator pick one.</summary>
    [Range(0, 65535)]
    public int LocalAgonesPort { get; set; } = 8081;

    public CacheMode Cache { get; set; } = CacheMode.Garnet;

    /// <summary>A runtime with no traffic and no generation for this long is given back.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the cruiser looks for idle runtimes.</summary>
    public TimeSpan IdleCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the cruiser reconciles sessions with Agones.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gateway instances; more than one puts the orchestrator's proxy in front of them.</summary>
    [Range(1, 8)]
    public int GatewayReplicas { get; set; } = 1;

    /// <summary>How many Ready runtimes the fleet keeps waiting (Agones Buffer policy).</summary>
    [Range(0, 1000)]
    public int FleetBuffer { get; set; } = 1;

    [Range(0, 1000)]
    public int FleetMinReplicas { get; set; } = 1;

    [Range(1, 1000)]
    public int FleetMaxReplicas { get; set; } = 4;

    /// <summary>Extra start time per runtime, to feel a GPU node's cold start locally.</summary>
    public TimeSpan RuntimeStartDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The shared volume (Filestore on GKE); relative paths are under the AppHost's folder.</summary>
    public string StorageRoot { get; set; } = ".data/storage";

    /// <summary>Identities that may use the admin page and API (comma-separated).</summary>
    public string AdminUsers { get; set; } = "admin";

    /// <summary>Reads and checks the section; a bad value stops the AppHost with a message that names the key.</summary>
    public static PlatformSettings Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var settings = new PlatformSettings();
        try
        {
            section.Bind(settings);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException($"Invalid setting in '{Section}': {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        var problems = new List<ValidationResult>();
        Validator.TryValidateObject(settings, new ValidationContext(settings), problems, validateAllProperties: true);
        var errors = problems.Select(p => $"{Section}:{string.Join(",", p.MemberNames)}: {p.ErrorMessage}").ToList();
        if (settings.IdleTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:{nameof(IdleTimeout)} must be positive, got {settings.IdleTimeout}.");
        }

        if (settings.IdleCheckInterval <= TimeSpan.Zero || settings.ReconcileInterval <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:{nameof(IdleCheckInterval)} and {Section}:{nameof(ReconcileInterval)} must be positive.");
        }

        if (settings.RuntimeStartDelay < TimeSpan.Zero)
        {
            errors.Add($"{Section}:{nameof(RuntimeStartDelay)} must not be negative, got {settings.RuntimeStartDelay}.");
        }

        if (settings.FleetMinReplicas > settings.FleetMaxReplicas)
        {
            errors.Add($"{Section}:{nameof(FleetMinReplicas)} ({settings.FleetMinReplicas}) must not exceed {Section}:{nameof(FleetMaxReplicas)} ({settings.FleetMaxReplicas}).");
        }

        return errors.Count == 0
            ? settings
            : throw new InvalidOperationException("Invalid platform settings: " + string.Join(" ", errors));
    }
}
