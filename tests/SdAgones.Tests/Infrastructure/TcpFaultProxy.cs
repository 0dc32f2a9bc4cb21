using System.Net;
using System.Net.Sockets;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// A TCP relay between a service and its dependency that a test can cut and restore, as a network partition or an
/// API server outage would: while cut, new connections are refused and open ones are closed.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly IPEndPoint target;
    private readonly List<TcpClient> open = [];
    private readonly CancellationTokenSource stop = new();
    private TcpListener? listener;
    private Task? accepting;

    public TcpFaultProxy(IPEndPoint target)
    {
        this.target = target;
        Port = FreePort.Next();
        Restore();
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/");

    public void Restore()
    {
        if (listener is not null)
        {
            return;
        }

        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Start();
        var current = listener;
        accepting = Task.Run(() => AcceptAsync(current));
    }

    public void Cut()
    {
        listener?.Stop();
        listener = null;
        lock (open)
        {
            foreach (var client in open)
            {
                client.Dispose();
            }

            open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener from)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await from.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                return;
            }

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
            await Task.WhenAny(a.CopyToAsync(b, stop.Token), b.CopyToAsync(a, stop.Token));
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

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        Cut();
        if (accepting is not null)
        {
            await accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        stop.Dispose();
    }
}
