using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Sends a request to the person's runtime with YARP's <see cref="IHttpForwarder"/>: HTTP/1.1, WebSocket upgrades,
/// SSE unbuffered, bodies of any size streamed, and no idle timeout shorter than Gradio's long connections need.
/// Two clients: one with HttpClient's diagnostics handler (a client span, the trace headers) for traced requests, and
/// one without it (no <see cref="SocketsHttpHandler.ActivityHeadersPropagator"/>, so the handler is not in the chain).
/// </summary>
internal sealed class RuntimeForwarder(IHttpForwarder forwarder, GatewayTelemetry telemetry, IOptions<ForwardingOptions> options) : IDisposable
{
    /// <summary>Idle time allowed on a forwarded request or upgraded connection (the GKE BackendConfig uses the same order).</summary>
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromMinutes(20);

    private readonly HttpMessageInvoker traced = new(Handler(new ReverseProxyPropagator(DistributedContextPropagator.Current)));
    private readonly HttpMessageInvoker untraced = new(Handler(propagator: null));
    private readonly RuntimeTransformer tracedTransformer = new(options.Value.PrivateHeaderScan, traced: true);
    private readonly RuntimeTransformer untracedTransformer = new(options.Value.PrivateHeaderScan, traced: false);

    private static SocketsHttpHandler Handler(DistributedContextPropagator? propagator) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        ActivityHeadersPropagator = propagator,
    };

    private readonly ForwarderRequestConfig config = new() { ActivityTimeout = ActivityTimeout };

    /// <summary>Forwards; returns <see cref="ForwardResult.RuntimeUnreachable"/> when nothing listens at the runtime.</summary>
    public async Task<ForwardResult> ForwardAsync(HttpContext context, Uri target, bool diagnostics)
    {
        var error = diagnostics
            ? await forwarder.SendAsync(context, target.ToString(), traced, config, tracedTransformer)
            : await forwarder.SendAsync(context, target.ToString(), untraced, config, untracedTransformer);
        if (error == ForwarderError.None)
        {
            return ForwardResult.Done;
        }

        telemetry.ForwardErrors.Add(1, new KeyValuePair<string, object?>("error", error.ToString()));
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        return error == ForwarderError.Request && !context.Response.HasStarted && IsUnreachable(exception)
            ? ForwardResult.RuntimeUnreachable
            : ForwardResult.Failed;
    }

    private static bool IsUnreachable(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.TimedOut })
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        traced.Dispose();
        untraced.Dispose();
    }
}

internal enum ForwardResult
{
    Done,
    RuntimeUnreachable,
    Failed,
}
