using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// A browser's side of Gradio 3.41's <c>/queue/join</c> (gradio-app/gradio v3.41.0: gradio/routes.py
/// <c>join_queue</c>, gradio/queueing.py), so every test and the benchmark speak the protocol a real client speaks:
/// wait for <c>send_hash</c>, answer with the session hash and fn_index, read <c>estimation</c> and
/// <c>send_data</c>, send the inputs, read <c>process_*</c> until <c>process_completed</c>.
/// </summary>
public sealed class GradioQueueClient : IDisposable
{
    /// <summary>The stand-in's txt2img function; its inputs are <c>[prompt, negative_prompt, seed, steps, width, height]</c>.</summary>
    public const int Txt2ImgFnIndex = 0;

    /// <summary>The stand-in's heartbeat generator; its inputs are <c>[count, seconds]</c>, and it does not make the runtime busy.</summary>
    public const int HeartbeatFnIndex = 1;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private int _fnIndex = Txt2ImgFnIndex;

    private GradioQueueClient(ClientWebSocket socket, string sessionHash)
    {
        Socket = socket;
        SessionHash = sessionHash;
    }

    /// <summary>The underlying socket, for tests that look at its state or close it themselves.</summary>
    public ClientWebSocket Socket { get; }

    /// <summary>The session hash this client answers <c>send_hash</c> with.</summary>
    public string SessionHash { get; }

    /// <summary>Connects to <paramref name="queueJoin"/>; <paramref name="configure"/> sets headers or keep-alive first.</summary>
    public static async Task<GradioQueueClient> ConnectAsync(Uri queueJoin, Action<ClientWebSocketOptions>? configure = null, string? sessionHash = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(queueJoin, timeout.Token);
        return new GradioQueueClient(socket, sessionHash ?? "test" + Guid.NewGuid().ToString("N")[..10]);
    }

    /// <summary>
    /// Reads <c>send_hash</c>, answers it, and reads <c>estimation</c> and <c>send_data</c>; returns the estimation.
    /// The server then waits up to 60 s for <see cref="SendDataAsync"/>.
    /// </summary>
    public async Task<JsonElement> JoinAsync(int fnIndex = Txt2ImgFnIndex)
    {
        await ExpectAsync("send_hash");
        _fnIndex = fnIndex;
        await SendAsync(new { session_hash = SessionHash, fn_index = fnIndex });
        var estimation = await ExpectAsync("estimation");
        await ExpectAsync("send_data");
        return estimation;
    }

    /// <summary>Sends the event's inputs, as the browser does after <c>send_data</c>.</summary>
    public Task SendDataAsync(params object?[] data) =>
        SendAsync(new { data, event_data = (object?)null, fn_index = _fnIndex, session_hash = SessionHash });

    /// <summary>Runs txt2img with <paramref name="data"/>; see <see cref="RunFunctionAsync"/>.</summary>
    public Task<IReadOnlyList<JsonElement>> RunAsync(params object?[] data) => RunFunctionAsync(Txt2ImgFnIndex, data);

    /// <summary>Joins for <paramref name="fnIndex"/>, sends <paramref name="data"/>, and returns every later message up to <c>process_completed</c>.</summary>
    public async Task<IReadOnlyList<JsonElement>> RunFunctionAsync(int fnIndex, params object?[] data)
    {
        await JoinAsync(fnIndex);
        await SendDataAsync(data);
        var messages = new List<JsonElement>();
        do
        {
            messages.Add(await ReceiveAsync() ?? throw new InvalidOperationException("The queue closed before process_completed; got: " + string.Join(", ", messages.Select(m => m.GetRawText()))));
        }
        while (messages[^1].GetProperty("msg").GetString() != "process_completed");
        return messages;
    }

    /// <summary>Sends one JSON text message.</summary>
    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    /// <summary>Sends one text frame as it is.</summary>
    public async Task SendTextAsync(string text)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
    }

    /// <summary>The next message, which must be <paramref name="msg"/>.</summary>
    public async Task<JsonElement> ExpectAsync(string msg)
    {
        var message = await ReceiveAsync() ?? throw new InvalidOperationException($"The queue closed while waiting for {msg}.");
        var got = message.TryGetProperty("msg", out var name) ? name.GetString() : null;
        return got == msg ? message : throw new InvalidOperationException($"Expected {msg}, got {message.GetRawText()}");
    }

    /// <summary>The next JSON message; throws, naming the close, when the server closed the socket instead.</summary>
    public async Task<JsonElement> NextAsync() =>
        await ReceiveAsync() ?? throw new InvalidOperationException($"The queue closed ({Socket.CloseStatus}: {Socket.CloseStatusDescription}) where a message was expected.");

    /// <summary>The next JSON message, or null when the server closed the socket (its close frame is in <see cref="Socket"/>).</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? patience = null)
    {
        var wait = patience ?? Patience;
        using var timeout = new CancellationTokenSource(wait);
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            WebSocketReceiveResult received;
            try
            {
                received = await Socket.ReceiveAsync(buffer, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"The queue sent no message and did not close within {wait.TotalSeconds:0} s.");
            }

            if (received.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
    }

    /// <summary>The PNG of a completed txt2img: the first gallery image, inlined as a data URL.</summary>
    public static byte[] ImageOf(JsonElement completed)
    {
        var url = completed.GetProperty("output").GetProperty("data")[0][0].GetProperty("data").GetString()!;
        const string Prefix = "data:image/png;base64,";
        return url.StartsWith(Prefix, StringComparison.Ordinal) ? Convert.FromBase64String(url[Prefix.Length..]) : throw new InvalidOperationException("Not a PNG data URL: " + url[..Math.Min(40, url.Length)]);
    }

    /// <inheritdoc />
    public void Dispose() => Socket.Dispose();
}
