using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Head sampling that keeps background chatter out of the traces: an outgoing call (a cache command such as
/// <c>EVAL</c>, a health ping, a watch) under no parent is not a trace of its own. Everything else follows its parent.
/// </summary>
public sealed class QuietBackgroundSampler : Sampler
{
    private readonly ParentBasedSampler inner = new(new AlwaysOnSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.ParentContext.TraceId == default && samplingParameters.Kind == ActivityKind.Client
            ? new SamplingResult(SamplingDecision.Drop)
            : inner.ShouldSample(samplingParameters);
}

/// <summary>
/// Holds back the spans of a periodic pass (<c>idle.pass</c>, <c>reconcile</c>) until the pass ends, and exports them
/// only when the pass acted (released or dropped something, changed a GameServer, or failed): a pass that did nothing
/// every 10 s would otherwise bury the people's traces.
/// </summary>
/// <remarks>A composite of one, so the provider's resource (service name) still reaches the exporter.</remarks>
public sealed class PeriodicPassFilter(BaseProcessor<Activity> export) : CompositeProcessor<Activity>([export])
{
    /// <summary>Names of the root activities that run on a timer.</summary>
    public static readonly IReadOnlySet<string> PeriodicPasses = new HashSet<string>(["idle.pass", "reconcile"], StringComparer.Ordinal);

    private static readonly string[] OutcomeTags = ["reclaimed", "released", "dropped", "orphans", "rebuilt"];
    private readonly ConcurrentDictionary<ActivityTraceId, ConcurrentQueue<Activity>> pending = new();

    public override void OnStart(Activity data)
    {
        if (IsPass(data))
        {
            pending.TryAdd(data.TraceId, new ConcurrentQueue<Activity>());
        }

        base.OnStart(data);
    }

    public override void OnEnd(Activity data)
    {
        if (IsPass(data))
        {
            pending.TryRemove(data.TraceId, out var spans);
            if (Acted(data, spans ?? []))
            {
                foreach (var span in spans ?? [])
                {
                    base.OnEnd(span);
                }

                base.OnEnd(data);
            }

            return;
        }

        if (pending.TryGetValue(data.TraceId, out var held))
        {
            held.Enqueue(data);
            return;
        }

        base.OnEnd(data);
    }

    private static bool IsPass(Activity activity) =>
        activity.ParentSpanId == default && PeriodicPasses.Contains(activity.OperationName)
        && activity.Source.Name.StartsWith("SdAgones.", StringComparison.Ordinal);

    private static bool Acted(Activity pass, IEnumerable<Activity> spans) =>
        pass.Status == ActivityStatusCode.Error
        || OutcomeTags.Any(tag => pass.GetTagItem(tag) is int count && count > 0)
        || spans.Any(span => span.Status == ActivityStatusCode.Error
            || (span.Kind == ActivityKind.Client && span.GetTagItem("http.request.method") is string method && method != "GET"));
}
