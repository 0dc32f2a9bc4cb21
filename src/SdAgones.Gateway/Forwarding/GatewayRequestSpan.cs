using System.Diagnostics;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Names and tags the span of a forwarded request so a person's request can be found in the traces: named by route
/// kind (<c>forward POST /sdapi/v1/txt2img</c>, <c>wait</c>), tagged with a pseudonymous person id (the email only when
/// <c>Gateway:EmailOnSpans</c> is on), the runtime and its profile (the Fleet).
/// </summary>
internal static class GatewayRequestSpan
{
    public const string PersonTag = "sdagones.person";
    public const string RuntimeTag = "sdagones.runtime";
    public const string ProfileTag = "sdagones.profile";
    public const string FleetTag = "sdagones.fleet";
    private const int MaxSegments = 3;
    private const int PersonHashChars = 12;

    /// <summary>Starts the span of one request through the gateway; the server span above it gets the same name.</summary>
    public static Activity? Start(HttpContext context)
    {
        var name = $"forward {context.Request.Method} {RouteKind(context.Request.Path)}";
        if (Activity.Current is { Kind: ActivityKind.Server } server)
        {
            server.DisplayName = name;
        }

        return GatewayTelemetry.Source.StartActivity(name);
    }

    /// <summary>
    /// <c>Gateway:EmailOnSpans</c>, set once when the gateway starts (<see cref="ForwardingOptions.EmailOnSpans"/>): one
    /// process-wide value, so the allocator's spans follow it without a setting of their own.
    /// </summary>
    public static bool EmailOnSpans { get; set; }

    /// <summary>
    /// The person as the same hash their Kubernetes label ends with: stable per person, not reversible to the email;
    /// or the email itself when <see cref="EmailOnSpans"/> is on.
    /// </summary>
    public static void TagPerson(Activity? activity, string user)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(PersonTag, EmailOnSpans ? user : PersonLabel.For(user)[^PersonHashChars..]);
        }
    }

    /// <summary>The runtime a request went to, its Fleet and its profile (the slug).</summary>
    public static void TagRuntime(Activity? activity, string runtime, string fleet, string profile)
    {
        activity?.SetTag(RuntimeTag, runtime);
        activity?.SetTag(FleetTag, fleet);
        activity?.SetTag(ProfileTag, profile);
    }

    /// <summary>The request was answered by the waiting room instead of a runtime.</summary>
    public static void MarkWait(Activity? activity)
    {
        if (activity is not null && activity.Source == GatewayTelemetry.Source)
        {
            activity.DisplayName = "wait";
        }
    }

    /// <summary>
    /// The path as a route kind: at most three segments, ids and file names replaced, so
    /// <c>/file=/data/outputs/1.png</c> is <c>/file={path}</c> and <c>/sdapi/v1/options</c> stays as it is.
    /// </summary>
    public static string RouteKind(PathString path)
    {
        var value = path.Value ?? "/";
        if (value.StartsWith("/file=", StringComparison.Ordinal))
        {
            return "/file={path}";
        }

        var segments = value.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kind = segments.Take(MaxSegments).Select(s => IsId(s) ? "{id}" : s);
        return "/" + string.Join('/', kind) + (segments.Length > MaxSegments ? "/…" : "");
    }

    private static bool IsId(string segment) =>
        segment.Length > 32 || (segment.Any(char.IsAsciiDigit) && !segment.Any(char.IsAsciiLetterLower)) || segment.Contains('.', StringComparison.Ordinal);
}
