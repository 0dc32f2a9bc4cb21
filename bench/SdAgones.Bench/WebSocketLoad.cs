using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace SdAgones.Bench;

/// <summary>
/// Many long-lived WebSockets through the gateway, each speaking Gradio 3.41's <c>/queue/join</c> protocol
/// (gradio-app/gradio v3.41.0: gradio/routes.py <c>join_queue</c>, gradio/queueing.py): answer <c>send_hash</c>,
/// read <c>estimation</c> and <c>send_data</c>, then run the stand-in's heartbeat generator (fn_index 1), which
/// sends a <c>process_generating</c> message every interval until <c>process_completed</c> after the hold.
/// </summary>
internal static class WebSocketLoad
{
    private const int HeartbeatFnIndex = 1;

    public static async Task<object> RunAsync(BenchArgs args)
    {
        var url = new Uri(args.Require("url"));
        var user = args.Require("user");
        var connections = args.Int("connections", 2000);
        var hold = TimeSpan.FromSeconds(args.Double("seconds", 20));
        var interval = Math.Max(1, args.Int("interval", 5));
        var beats = (int)Math.Ceiling(hold.TotalSeconds / interval);
        var pid = args.Int("pid", 0);
        var before = pid > 0 ? Proc.RssMiB(pid) : double.NaN;

        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false });
        var sockets = new ClientWebSocket?[connections];
        var connectErrors = 0;
        var protocolErrors = 0;
        var messages = 0;
        var completed = 0;
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader(Http.UserHeader, user);
                await socket.ConnectAsync(url, invoker, CancellationToken.None);
                // Answer send_hash at once: the runtime closes a socket that has not answered within 5 s.
                var session = $"bench{i}";
                await ExpectAsync(socket, "send_hash");
                await SendAsync(socket, new { session_hash = session, fn_index = HeartbeatFnIndex });
                await ExpectAsync(socket, "estimation");
                await ExpectAsync(socket, "send_data");
                sockets[i] = socket;
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException or InvalidDataException)
            {
                Interlocked.Increment(ref connectErrors);
            }
            finally
            {
                gate.Release();
            }
        }));

        var open = sockets.Count(s => s?.State == WebSocketState.Open);
        double during = double.NaN;
        using var sample = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            // RSS with every connection open, half-way through the hold.
            await Task.Delay(hold / 2, sample.Token);
            during = pid > 0 ? Proc.RssMiB(pid) : double.NaN;
        });
        await Task.WhenAll(sockets.Select(async (socket, i) =>
        {
            if (socket is null)
            {
                return;
            }

            try
            {
                await SendAsync(socket, new { data = new object[] { beats, interval }, event_data = (object?)null, fn_index = HeartbeatFnIndex, session_hash = $"bench{i}" });
                await ExpectAsync(socket, "process_starts");
                while (true)
                {
                    var msg = await ReceiveMsgAsync(socket, TimeSpan.FromSeconds(interval + 10));
                    if (msg == "process_generating")
                    {
                        Interlocked.Increment(ref messages);
                        continue;
                    }

                    if (msg == "process_completed")
                    {
                        Interlocked.Increment(ref completed);
                        return;
                    }

                    throw new InvalidDataException($"unexpected queue message {msg}");
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidDataException)
            {
                Interlocked.Increment(ref protocolErrors);
            }
        }));
        await sample.CancelAsync();
        try
        {
            await sampler;
        }
        catch (OperationCanceledException)
        {
            // the hold ended before the sample; none taken
        }

        foreach (var socket in sockets)
        {
            socket?.Abort();
            socket?.Dispose();
        }

        return new
        {
            connections,
            open,
            completed,
            messages,
            errors = connectErrors + protocolErrors,
            connect_errors = connectErrors,
            protocol_errors = protocolErrors,
            gateway_rss_before_mib = before,
            gateway_rss_with_connections_mib = during,
            gateway_kib_per_connection = open > 0 ? Math.Round((during - before) * 1024 / open, 1) : double.NaN,
        };
    }

    private static Task SendAsync(ClientWebSocket socket, object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task ExpectAsync(ClientWebSocket socket, string msg)
    {
        var got = await ReceiveMsgAsync(socket, TimeSpan.FromSeconds(30));
        if (got != msg)
        {
            throw new InvalidDataException($"expected {msg}, got {got}");
        }
    }

    /// <summary>The <c>msg</c> of the next message; throws when the socket closes first.</summary>
    private static async Task<string?> ReceiveMsgAsync(ClientWebSocket socket, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        using var message = new MemoryStream();
        var buffer = new byte[4096];
        WebSocketReceiveResult received;
        do
        {
            received = await socket.ReceiveAsync(buffer, timeout.Token);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidDataException("the queue closed the socket: " + socket.CloseStatusDescription);
            }

            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);
        using var document = JsonDocument.Parse(message.ToArray());
        return document.RootElement.TryGetProperty("msg", out var msg) ? msg.GetString() : Encoding.UTF8.GetString(message.ToArray());
    }
}
