namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// The forwarding hot path's settings (section <c>Gateway</c>): how much of the forwarded traffic is traced, what the
/// spans name a person by, and the two switches the benchmark's A/B rows turn back to measure what each change gains.
/// </summary>
public sealed class ForwardingOptions
{
    public const string Section = "Gateway";

    /// <summary>
    /// Share (0 to 1) of forwarded requests traced in full, the runtime's spans included. The others are decided after
    /// their response: kept when they failed (5xx, runtime unreachable) or took longer than
    /// <see cref="SlowRequestThreshold"/>, dropped otherwise. Allocations and waiting-room answers are always traced.
    /// </summary>
    public double ForwardedTraceSampling { get; set; } = 0.1;

    /// <summary>A forwarded request slower than this is always traced, sampled or not.</summary>
    public TimeSpan SlowRequestThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Spans name the person by their email instead of the pseudonymous id (a debugging aid; off by default).</summary>
    public bool EmailOnSpans { get; set; }

    /// <summary>When the forwarder's HttpClient diagnostics (client span, trace headers) run: for sampled requests only, or always.</summary>
    public ForwarderDiagnostics ForwarderDiagnostics { get; set; } = ForwarderDiagnostics.Sampled;

    /// <summary>Where private headers are looked for: in the incoming request's header names, or in every outgoing header.</summary>
    public PrivateHeaderScan PrivateHeaderScan { get; set; } = PrivateHeaderScan.Incoming;
}

/// <summary>When the forwarder runs HttpClient's diagnostics handler.</summary>
public enum ForwarderDiagnostics
{
    /// <summary>Only for requests sampled for tracing: the others skip the handler and its client span.</summary>
    Sampled,

    /// <summary>For every forwarded request (what the gateway did before sampling; kept for the benchmark's A/B row).</summary>
    Always,
}

/// <summary>How the forwarder finds the identity headers it strips.</summary>
public enum PrivateHeaderScan
{
    /// <summary>Checks the incoming request's header names (Kestrel's allocation-free enumerator) and removes only those found.</summary>
    Incoming,

    /// <summary>Lists every header of the outgoing request and removes the private ones (the earlier way; kept for the A/B row).</summary>
    Outgoing,
}
