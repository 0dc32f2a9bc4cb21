using System.Net;
using System.Net.Sockets;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// A TCP relay between a service and its dependency that a test can cut, slow down, point elsewhere and restore, as a
/// network partition, a slow API server or a failover would. It holds its port for its whole life (while cut it
/// accepts and resets at once), so no other process can take the address the service was given.
/// </summary>
public sealed partial class TcpFaultProxy : IAsyncDisposable
{
    private readonly List<TcpClient> open = [];
    private readonly CancellationTokenSource stop = new();
    private readonly TcpListener listener;
    private readonly Task accepting;
    private volatile IPEndPoint target;
    private volatile bool cut;
    private int connections;

    public TcpFaultProxy(IPEndPoint target)
    {
        this.target = target;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> requests = new();

    /// <summary>
    /// The HTTP/1.1 request lines (<c>GET /apis/… HTTP/1.1</c>) seen going to the dependency, in order; a line split
    /// across two reads is missed, so use it to see which kinds of request a service sends, not to count them exactly.
    /// </summary>
    public IReadOnlyList<string> Requests => [.. requests];

    /// <summary>Connections relayed to the dependency so far (not counting those reset while cut).</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>How long each chunk from the dependency back to the service is held: a slow dependency.</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>Relays new connections to <paramref name="to"/> from now on (the dependency came back elsewhere).</summary>
    public void Retarget(IPEndPoint to) => target = to;

    public void Restore() => cut = false;

    public void Cut()
    {
        cut = true;
        lock (open)
        {
            foreach (var client in open)
            {
                Reset(client);
            }

            open.Clear();
        }
    }

    /// <summary>Closes with a reset (no graceful FIN), as a dead peer or a refused connection looks to the client.</summary>
    private static void Reset(TcpClient client)
    {
        try
        {
            if (client.Client is { } socket)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            // already closed
        }

        client.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

            if (cut)
            {
                Reset(inbound); // as a refused connection
                continue;
            }

            Interlocked.Increment(ref connections);
            _ = Task.Run(() => RelayAsync(inbound));
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        lock (open)
        {
            open.Add(inbound);
            open.Add(outbound);
        }

        try
        {
            await outbound.ConnectAsync(target, stop.Token);
            using var a = inbound.GetStream();
            using var b = outbound.GetStream();
            await Task.WhenAny(CopyRecordingAsync(a, b), CopyDelayedAsync(b, a));
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // the cut, or either side closing
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
            lock (open)
            {
                open.Remove(inbound);
                open.Remove(outbound);
            }
        }
    }

    private async Task CopyRecordingAsync(Stream from, Stream to)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, stop.Token)) > 0)
        {
            foreach (System.Text.RegularExpressions.Match line in RequestLine().Matches(System.Text.Encoding.ASCII.GetString(buffer, 0, read)))
            {
                requests.Enqueue(line.Value);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?m)^(GET|HEAD|POST|PUT|PATCH|DELETE) \S+ HTTP/1\.1")]
    private static partial System.Text.RegularExpressions.Regex RequestLine();

    private async Task CopyDelayedAsync(Stream from, Stream to)
    {
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, stop.Token)) > 0)
        {
            if (AnswerDelay > TimeSpan.Zero)
            {
                await Task.Delay(AnswerDelay, stop.Token);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        Cut();
        await accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        stop.Dispose();
    }
}
