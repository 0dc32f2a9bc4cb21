using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Yarp.ReverseProxy.Forwarder;

namespace SdAgones.Gateway.Forwarding;

/// <summary>
/// Sends a request to the person's runtime with YARP's <see cref="IHttpForwarder"/>: HTTP/1.1, WebSocket upgrades,
/// SSE unbuffered, bodies of any size streamed, and no idle timeout shorter than Gradio's long connections need.
/// </summary>
internal sealed class RuntimeForwarder(IHttpForwarder forwarder, GatewayTelemetry telemetry) : IDisposable
{
    /// <summary>Idle time allowed on a forwarded request or upgraded connection (the GKE BackendConfig uses the same order).</summary>
    public static readonly TimeSpan ActivityTimeout = TimeSpan.FromMinutes(20);

    private readonly HttpMessageInvoker client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    });

    private readonly ForwarderRequestConfig config = new() { ActivityTimeout = ActivityTimeout };

    /// <summary>Forwards; returns <see cref="ForwardResult.RuntimeUnreachable"/> when nothing listens at the runtime.</summary>
    public async Task<ForwardResult> ForwardAsync(HttpContext context, Uri target)
    {
        var error = await forwarder.SendAsync(context, target.ToString(), client, config, RuntimeTransformer.Instance);
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

    public void Dispose() => client.Dispose();
}

internal enum ForwardResult
{
    Done,
    RuntimeUnreachable,
    Failed,
}
