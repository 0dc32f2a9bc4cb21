using System.Text.Json;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Cruiser.Autoscaling;

/// <summary>
/// <c>POST /fleetautoscale</c>: Agones' Webhook FleetAutoscaler asks here how many replicas each Fleet should have.
/// Served by every cruiser replica (leader or not). A body that is not a review gets 400 with what is wrong; a cache that
/// does not answer within <see cref="Budget"/> gets 503, and Agones then keeps the Fleet as it is (docs/forecast.md).
/// </summary>
public static partial class FleetAutoscaleApi
{
    public const string Path = AgonesApi.FleetAutoscaleWebhookPath;

    /// <summary>
    /// Time allowed for the cache reads behind one answer: far inside Agones' 15 s webhook client timeout
    /// (pkg/fleetautoscalers/fleetautoscalers.go, buildURLFromConfiguration), and inside its 10 s sync interval here.
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapFleetAutoscale(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, AnswerAsync);
        return app;
    }

    internal static async Task<IResult> AnswerAsync(HttpRequest http, WarmUpAutoscaler autoscaler, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(FleetAutoscaleApi));
        FleetAutoscaleReview? review;
        try
        {
            review = await JsonSerializer.DeserializeAsync<FleetAutoscaleReview>(http.Body, Json, http.HttpContext.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Bad($"The body is not a FleetAutoscaleReview (JSON): {ex.Message}");
        }

        if (Problem(review) is { } problem)
        {
            return Bad(problem);
        }

        var request = review!.Request!;
        try
        {
            var decision = await autoscaler.DecideAsync(request.Name!, request.Status!).WaitAsync(Budget, time, http.HttpContext.RequestAborted);
            LogAnswer(logger, request.Name!, request.Status!.AllocatedReplicas, decision.Replicas, decision.Basis, decision.ExpectedArrivals ?? -1,
                decision.WarmUp.TotalSeconds, decision.Floor, decision.Waiting);
            return Results.Ok(review with { Response = new FleetAutoscaleResponse(request.Uid!, Scale: true, decision.Replicas) });
        }
        catch (Exception ex) when (ex is TimeoutException || CacheFault.Is(ex))
        {
            LogNoAnswer(logger, request.Name!, ex.Message);
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The forecast cannot be read now",
                detail: $"The cache did not answer within {Budget.TotalSeconds:0} s ({ex.Message}); Agones keeps the Fleet's replicas until the next sync.");
        }
    }

    /// <summary>What is missing or wrong in a review, in words; null when it can be answered.</summary>
    private static string? Problem(FleetAutoscaleReview? review)
    {
        if (review?.Request is not { } request)
        {
            return "The FleetAutoscaleReview has no \"request\"; Agones sends {\"request\": {\"uid\", \"name\", \"namespace\", \"status\"}}.";
        }

        if (string.IsNullOrWhiteSpace(request.Uid))
        {
            return "request.uid is missing; the answer must carry the request's uid back.";
        }

        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return "request.name (the Fleet's name) is missing.";
        }

        if (request.Status is not { } status)
        {
            return "request.status (the Fleet's status) is missing.";
        }

        return status.Replicas < 0 || status.ReadyReplicas < 0 || status.ReservedReplicas < 0 || status.AllocatedReplicas < 0
            ? "request.status has a negative replica count; replicas, readyReplicas, reservedReplicas and allocatedReplicas are 0 or more."
            : null;
    }

    private static IResult Bad(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a FleetAutoscaleReview", detail: detail);

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Fleet {Fleet}: {Allocated} allocated → {Replicas} replicas ({Basis}; expected {Expected:0.##} within {WarmUpSeconds:0} s, floor {Floor}, waiting {Waiting})")]
    private static partial void LogAnswer(ILogger logger, string fleet, int allocated, int replicas, string basis, double expected, double warmUpSeconds, int floor, long waiting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fleet {Fleet}: no autoscale answer ({Reason}); Agones keeps its replicas")]
    private static partial void LogNoAnswer(ILogger logger, string fleet, string reason);
}
