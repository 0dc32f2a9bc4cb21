using System.ComponentModel.DataAnnotations;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>The FleetAutoscaler policies LocalAgones runs (Agones' <c>spec.policy.type</c>).</summary>
public enum FleetAutoscalerPolicyType
{
    /// <summary>Keep <c>Fleet:BufferSize</c> Ready beyond the allocated ones, between min and max replicas.</summary>
    Buffer,

    /// <summary>Ask a webhook every sync interval with a <c>FleetAutoscaleReview</c> and apply its answer.</summary>
    Webhook,
}

/// <summary>
/// Which policy the Fleet's FleetAutoscaler has (settings <c>Fleet:Autoscaling</c> and <c>Fleet:WebhookUrl</c>): kept
/// apart from <see cref="FleetOptions"/> so the Fleet's own settings and its autoscaler's change independently.
/// </summary>
public sealed class FleetAutoscalerOptions : IValidatableObject
{
    public FleetAutoscalerPolicyType Autoscaling { get; set; } = FleetAutoscalerPolicyType.Buffer;

    /// <summary>Where the Webhook policy posts its review (the FleetAutoscaler's <c>spec.policy.webhook.url</c>).</summary>
    public string? WebhookUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Autoscaling))
        {
            yield return new ValidationResult(
                SettingProblem.Line($"{FleetOptions.Section}:{nameof(Autoscaling)}", ((int)Autoscaling).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    $"is not allowed; use one of {string.Join(", ", Enum.GetNames<FleetAutoscalerPolicyType>())}"),
                [nameof(Autoscaling)]);
        }

        if (Autoscaling == FleetAutoscalerPolicyType.Webhook
            && !(Uri.TryCreate(WebhookUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                SettingProblem.Line($"{FleetOptions.Section}:{nameof(WebhookUrl)}", WebhookUrl,
                    "is not allowed; with Fleet:Autoscaling = Webhook use the webhook's absolute http(s) URL, e.g. http://127.0.0.1:5200/fleetautoscale"),
                [nameof(WebhookUrl)]);
        }
    }
}

/// <summary>Registers <see cref="FleetAutoscalerOptions"/>, the Fleet's autoscaler and, for the Webhook policy, its sync loop.</summary>
public static class FleetAutoscalerRegistration
{
    public static IServiceCollection AddFleetAutoscaler(this IServiceCollection services)
    {
        services.AddOptions<FleetAutoscalerOptions>()
            .BindConfiguration(FleetOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<LocalFleetAutoscaler>();
        services.AddHostedService<WebhookAutoscaler>();
        return services;
    }
}
