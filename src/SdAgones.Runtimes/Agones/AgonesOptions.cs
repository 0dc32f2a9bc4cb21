using System.ComponentModel.DataAnnotations;

namespace SdAgones.Runtimes.Agones;

/// <summary>Where the Kubernetes API is and which Fleet to allocate from (section <c>Agones</c>).</summary>
public sealed class AgonesOptions : IValidatableObject
{
    public const string Section = "Agones";

    /// <summary>The API server's URL (LocalAgones locally); empty means the in-cluster API server.</summary>
    public string? ApiServer { get; set; }

    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string Namespace { get; set; } = "default";

    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string Fleet { get; set; } = RuntimeFleet.Name;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ApiServer))
        {
            if (!Uri.TryCreate(ApiServer, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                yield return new ValidationResult($"Agones:ApiServer must be an http(s) URL, got '{ApiServer}'.", [nameof(ApiServer)]);
            }
        }
        else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")))
        {
            yield return new ValidationResult(
                "Agones:ApiServer is not set and this process is not in a Kubernetes cluster: set Agones:ApiServer to the API server (LocalAgones) URL.",
                [nameof(ApiServer)]);
        }
    }
}
