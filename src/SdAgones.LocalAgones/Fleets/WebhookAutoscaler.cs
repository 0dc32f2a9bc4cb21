using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SdAgones.LocalAgones.Api;
using SdAgones.Runtimes.Agones;
using AgonesFleet = SdAgones.Runtimes.Agones.Fleet;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>
/// The Webhook FleetAutoscaler policy as Agones runs it, one FleetAutoscaler per Fleet, all with the same URL (pkg/fleetautoscalers/fleetautoscalers.go
/// <c>applyWebhookPolicy</c> and controller.go <c>syncFleetAutoscaler</c> in googleforgames/agones): every sync interval
/// it posts a <see cref="FleetAutoscaleReview"/> with a fresh uid and the Fleet's name, namespace and status to the URL,
/// with a 15 s client timeout. An answer of 200 with <c>scale: true</c> sets the Fleet's replicas to the answer, unclamped
/// (the Webhook policy has no min or max); <c>scale: false</c> sets them to the Fleet's current GameServer count
/// (<c>status.replicas</c>). Anything else — no connection, a timeout, a status other than 200, a body that is no
/// review — leaves the Fleet's replicas as they are, records a Warning Event <c>FleetAutoscaler</c> on the
/// FleetAutoscaler and marks it unable to scale, and the next sync tries again.
/// </summary>
internal sealed partial class WebhookAutoscaler(
    GameServerRegistry registry,
    LocalFleetAutoscaler autoscaler,
    EventLog events,
    IOptions<FleetOptions> fleetOptions,
    IOptions<FleetAutoscalerOptions> options,
    TimeProvider time,
    ILogger<WebhookAutoscaler> logger) : BackgroundService
{
    /// <summary>Agones' webhook client timeout (<c>buildURLFromConfiguration</c>: <c>Timeout: 15 * time.Second</c>).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    // Go's encoding/json matches field names without regard to case.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!autoscaler.Active || autoscaler.Policy != FleetAutoscalerPolicyType.Webhook)
        {
            return;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await SyncAsync(stoppingToken);
                await Task.Delay(fleetOptions.Value.SyncInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>
    /// One sync of every Fleet's FleetAutoscaler, side by side as Agones' controller syncs each on its own (one Fleet's
    /// slow webhook answer never holds back another's).
    /// </summary>
    internal Task SyncAsync(CancellationToken ct) =>
        Task.WhenAll(registry.Plans.Select(plan => SyncFleetAsync(plan.Name, ct)));

    /// <summary>One sync of Fleet <paramref name="name"/>'s FleetAutoscaler: ask the webhook, then scale or keep.</summary>
    private async Task SyncFleetAsync(string name, CancellationToken ct)
    {
        if (registry.GetFleet(name) is not { } fleet)
        {
            return;
        }

        var url = options.Value.WebhookUrl!;
        int desired;
        try
        {
            desired = await AskAsync(url, fleet, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && Describe(ex, url) is { } error)
        {
            events.Record(LocalFleetAutoscaler.Reference(fleet), "FleetAutoscaler", "Warning", LocalFleetAutoscaler.Component,
                $"Error calculating desired fleet size on FleetAutoscaler {LocalFleetAutoscaler.NameFor(fleet.Metadata.Name)}. Error: {error}");
            autoscaler.UnableToScale(fleet.Metadata.Name);
            LogKept(fleet.Metadata.Name, fleet.Spec.Replicas, error);
            return;
        }

        if (desired < 0)
        {
            // The API server refuses a Fleet with negative replicas; Agones records the failed update and keeps the Fleet.
            var error = $"spec.replicas: Invalid value: {desired}: must be greater than or equal to 0";
            events.Record(LocalFleetAutoscaler.Reference(fleet), "AutoScalingFleetError", "Warning", LocalFleetAutoscaler.Component,
                $"Error on scaling fleet {fleet.Metadata.Name} from {fleet.Spec.Replicas} to {desired}. Error: {error}");
            LogKept(fleet.Metadata.Name, fleet.Spec.Replicas, error);
            return;
        }

        DateTimeOffset? scaledAt = null;
        if (desired != fleet.Spec.Replicas)
        {
            registry.SetFleetReplicas(fleet.Metadata.Name, desired);
            scaledAt = time.GetUtcNow();
            events.Record(LocalFleetAutoscaler.Reference(fleet), "AutoScalingFleet", "Normal", LocalFleetAutoscaler.Component,
                $"Scaling fleet {fleet.Metadata.Name} from {fleet.Spec.Replicas} to {desired}");
            LogScaled(fleet.Metadata.Name, fleet.Spec.Replicas, desired);
        }

        autoscaler.Scaled(fleet.Metadata.Name, fleet.Status.Replicas, desired, scaledAt);
    }

    private async Task<int> AskAsync(string url, AgonesFleet fleet, CancellationToken ct)
    {
        var review = new FleetAutoscaleReview
        {
            Request = new FleetAutoscaleRequest
            {
                Uid = Guid.NewGuid().ToString(),
                Name = fleet.Metadata.Name,
                Namespace = fleet.Metadata.NamespaceProperty,
                Status = fleet.Status,
            },
        };
        using var answer = await http.PostAsJsonAsync(url, review, Json, ct);
        if (answer.StatusCode != HttpStatusCode.OK)
        {
            throw new WebhookAnswerException($"bad status code {(int)answer.StatusCode} from the server: {url}");
        }

        // Agones reads the body whatever its content type says.
        await using var body = await answer.Content.ReadAsStreamAsync(ct);
        var reviewed = await JsonSerializer.DeserializeAsync<FleetAutoscaleReview>(body, Json, ct)
                       ?? throw new WebhookAnswerException($"the answer from {url} is no FleetAutoscaleReview (null)");
        var response = reviewed.Response ?? throw new WebhookAnswerException($"the answer from {url} has no response");
        return response.Scale ? response.Replicas : fleet.Status.Replicas;
    }

    /// <summary>The error Agones would report for <paramref name="ex"/>; null for a fault that is not the webhook's.</summary>
    private static string? Describe(Exception ex, string url) => ex switch
    {
        WebhookAnswerException answer => answer.Message,
        HttpRequestException request => $"Post \"{url}\": {request.Message}",
        TaskCanceledException => $"Post \"{url}\": no answer within {Timeout.TotalSeconds:F0} s (Client.Timeout exceeded)",
        JsonException json => $"the answer from {url} is no FleetAutoscaleReview: {json.Message}",
        _ => null,
    };

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "FleetAutoscaler (Webhook): scaling Fleet {Fleet} from {From} to {To}")]
    private partial void LogScaled(string fleet, int from, int to);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FleetAutoscaler (Webhook): Fleet {Fleet} keeps {Replicas} replicas: {Error}")]
    private partial void LogKept(string fleet, int replicas, string error);

    private sealed class WebhookAnswerException(string message) : Exception(message);
}
