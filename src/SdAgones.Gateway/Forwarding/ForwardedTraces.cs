using System.Buffers.Binary;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// The tracing decision for forwarded requests: a share of them is traced in full (head sampling by trace id, so every
/// gateway decides the same for one trace); the rest are recorded cheaply and decided after the response — kept when
/// they failed or were slow, dropped otherwise. Dropping clears the recorded flag of the request's spans before they end,
/// so the exporter skips them (OpenTelemetry's export processors only export recorded activities).
/// </summary>
internal sealed class ForwardedTraces(IOptions<ForwardingOptions> options, TimeProvider time)
{
    private readonly ForwardingOptions settings = options.Value;

    /// <summary>True when this request's trace is sampled in full: the forwarder then runs HttpClient's diagnostics.</summary>
    public bool IsSampled(Activity? activity)
    {
        var ratio = settings.ForwardedTraceSampling;
        if (activity is null || !activity.Recorded || ratio <= 0)
        {
            return false;
        }

        if (ratio >= 1)
        {
            return true;
        }

        Span<byte> id = stackalloc byte[16];
        activity.TraceId.CopyTo(id);
        return BinaryPrimitives.ReadUInt64BigEndian(id[8..]) < (ulong)(ratio * ulong.MaxValue);
    }

    /// <summary>Whether the forwarder's diagnostics handler runs for this request.</summary>
    public bool RunsDiagnostics(bool sampled) => sampled || settings.ForwarderDiagnostics == ForwarderDiagnostics.Always;

    /// <summary>
    /// After the response: a failed request's span is marked as an error and kept, as is a slow one; an unsampled
    /// request that did neither is dropped with the server span above it.
    /// </summary>
    public void Decide(Activity? activity, bool sampled, long startedAt, bool failed)
    {
        if (activity is null)
        {
            return;
        }

        if (failed)
        {
            activity.SetStatus(ActivityStatusCode.Error);
            return;
        }

        if (sampled || time.GetElapsedTime(startedAt) >= settings.SlowRequestThreshold)
        {
            return;
        }

        activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        if (activity.Parent is { Kind: ActivityKind.Server } server)
        {
            server.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
