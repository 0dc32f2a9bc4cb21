using System.Net.WebSockets;
using System.Text;

namespace SdAgones.Bench;

/// <summary>Many long-lived WebSockets through the gateway, each echoing a message every few seconds.</summary>
internal static class WebSocketLoad
{
    public static async Task<object> RunAsync(BenchArgs args)
    {
        var url = new Uri(args.Require("url"));
        var user = args.Require("user");
        var connections = args.Int("connections", 2000);
        var hold = TimeSpan.FromSeconds(args.Double("seconds", 20));
        var interval = TimeSpan.FromSeconds(args.Double("interval", 5));
        var pid = args.Int("pid", 0);
        var before = pid > 0 ? Proc.RssMiB(pid) : double.NaN;

        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false });
        var sockets = new ClientWebSocket?[connections];
        var connectErrors = 0;
        var echoErrors = 0;
        var echoes = 0;
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader(Http.UserHeader, user);
                await socket.ConnectAsync(url, invoker, CancellationToken.None);
                sockets[i] = socket;
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException)
            {
                Interlocked.Increment(ref connectErrors);
            }
            finally
            {
                gate.Release();
            }
        }));

        var open = sockets.Count(s => s?.State == WebSocketState.Open);
        var until = DateTime.UtcNow + hold;
        await Task.WhenAll(sockets.Select(async (socket, i) =>
        {
            if (socket is null)
            {
                return;
            }

            var buffer = new byte[256];
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds));
            for (var k = 0; DateTime.UtcNow < until; k++)
            {
                try
                {
                    var text = $"echo {i} {k}";
                    await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    var received = await socket.ReceiveAsync(buffer, timeout.Token);
                    if (Encoding.UTF8.GetString(buffer, 0, received.Count) == text)
                    {
                        Interlocked.Increment(ref echoes);
                    }
                    else
                    {
                        Interlocked.Increment(ref echoErrors);
                    }
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
                {
                    Interlocked.Increment(ref echoErrors);
                    return;
                }

                await Task.Delay(interval);
            }
        }));

        var during = pid > 0 ? Proc.RssMiB(pid) : double.NaN;
        var stillOpen = sockets.Count(s => s?.State == WebSocketState.Open);
        foreach (var socket in sockets)
        {
            socket?.Abort();
            socket?.Dispose();
        }

        return new
        {
            connections,
            open,
            still_open_at_end = stillOpen,
            echoes,
            errors = connectErrors + echoErrors,
            connect_errors = connectErrors,
            echo_errors = echoErrors,
            gateway_rss_before_mib = before,
            gateway_rss_with_connections_mib = during,
            gateway_kib_per_connection = open > 0 ? Math.Round((during - before) * 1024 / open, 1) : double.NaN,
        };
    }
}
