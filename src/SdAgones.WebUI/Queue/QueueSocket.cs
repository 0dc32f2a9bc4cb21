using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using SdAgones.WebUI.Generation;

namespace SdAgones.WebUI.Queue;

/// <summary>
/// One <c>/queue/join</c> connection, speaking Gradio 3.41's queue protocol so the gateway, the activity rule and the
/// benchmarks see what a real browser and WebUI exchange. Read from gradio-app/gradio v3.41.0: gradio/routes.py
/// (<c>join_queue</c>: accept, send <c>{"msg":"send_hash"}</c>, wait 5 s for <c>session_hash</c>/<c>fn_index</c> or
/// give up, push the event and send its <c>estimation</c>) and gradio/queueing.py (<c>gather_event_data</c>:
/// <c>send_data</c>, then up to 60 s for the inputs; <c>process_events</c>: <c>process_starts</c>, one
/// <c>process_generating</c> per intermediate result, <c>process_completed</c>, then <c>disconnect</c> with 1000).
/// The stand-in has two functions. txt2img (<see cref="Txt2ImgFnIndex"/>) takes
/// <c>[prompt, negative_prompt, seed, steps, width, height]</c> (null for a default), reports each sampling step as
/// <c>process_generating</c> and completes with a one-image gallery (inlined PNG) and the image's infotext. heartbeat
/// (<see cref="HeartbeatFnIndex"/>, a generator function as Gradio apps and extensions have) takes
/// <c>[count, seconds]</c> and yields its beat number every <c>seconds</c> without using the GPU queue, so tests can
/// keep data moving on a socket while the runtime is not busy.
/// </summary>
internal sealed class QueueSocket(WebSocket socket, GenerationQueue queue, QueueLine line, TimeProvider time, ILogger logger)
{
    /// <summary>The fn_index of txt2img, the stand-in's only queued function.</summary>
    public const int Txt2ImgFnIndex = 0;

    /// <summary>The fn_index of heartbeat, a generator that yields a number every few seconds.</summary>
    public const int HeartbeatFnIndex = 1;

    private const int MaxBeats = 1000;

    /// <summary>How long the client has to answer <c>send_hash</c> (routes.py: <c>asyncio.wait_for(..., timeout=5)</c>).</summary>
    public static readonly TimeSpan HashTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long the client has to answer <c>send_data</c> (queueing.py: <c>receive_timeout=60</c>).</summary>
    public static readonly TimeSpan DataTimeout = TimeSpan.FromSeconds(60);

    private const int MaxMessageBytes = 1 << 20;
    private const int ReceiveChunk = 4096;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(5);

    private readonly ArrayBufferWriter<byte> _message = new(ReceiveChunk);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var joined = false;
        TimeSpan? ranFor = null;
        try
        {
            await SendAsync(new SendHashMessage(), cancellationToken);
            var hello = await ReceiveAsync(HashTimeout, cancellationToken);
            if (hello.Ended)
            {
                return;
            }

            if (hello.TimedOut)
            {
                await CloseAsync(WebSocketCloseStatus.NormalClosure, $"No session_hash within {HashTimeout.TotalSeconds:0} s of send_hash.", hello.Pending, cancellationToken);
                return;
            }

            if (ReadSessionInfo(hello.Text, out var fnIndex) is { } refusal)
            {
                await CloseAsync(WebSocketCloseStatus.InvalidPayloadData, refusal, null, cancellationToken);
                return;
            }

            var estimation = line.Join();
            joined = true;
            await SendAsync(estimation, cancellationToken);
            await SendAsync(new SendDataMessage(), cancellationToken);

            var inputs = await ReceiveAsync(DataTimeout, cancellationToken);
            if (inputs.Ended)
            {
                return;
            }

            if (inputs.TimedOut)
            {
                await SendAsync(new ProcessCompletedMessage(new QueueError("Time out uploading data to server"), Success: false), cancellationToken);
                await CloseAsync(WebSocketCloseStatus.NormalClosure, null, inputs.Pending, cancellationToken);
                return;
            }

            GenerationRequest? job = null;
            (int Count, TimeSpan Interval) beats = default;
            if (!TryReadData(inputs.Text, out var data, out var problem)
                || (fnIndex == Txt2ImgFnIndex ? !TryReadJob(data, out job, out problem) : !TryReadBeats(data, out beats, out problem)))
            {
                await SendAsync(new ProcessCompletedMessage(new QueueError(problem), Success: false), cancellationToken);
                await CloseAsync(WebSocketCloseStatus.NormalClosure, null, null, cancellationToken);
                return;
            }

            await SendAsync(new ProcessStartsMessage(), cancellationToken);
            var started = time.GetTimestamp();
            IReadOnlyList<object?> output = fnIndex == Txt2ImgFnIndex
                ? await Txt2ImgAsync(job!, cancellationToken)
                : await HeartbeatAsync(beats, cancellationToken);
            ranFor = time.GetElapsedTime(started);
            var (duration, average) = line.Leave(ranFor);
            joined = false;

            await SendAsync(new ProcessCompletedMessage(new QueueOutput(output, IsGenerating: false, duration, average), Success: true), cancellationToken);
            await CloseAsync(WebSocketCloseStatus.NormalClosure, null, null, cancellationToken);
        }
        catch (WebSocketException e)
        {
            logger.ConnectionLost(e.WebSocketErrorCode.ToString());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.ConnectionLost("request aborted");
        }
        finally
        {
            if (joined)
            {
                line.Leave(null);
            }
        }
    }

    private async Task<IReadOnlyList<object?>> Txt2ImgAsync(GenerationRequest job, CancellationToken cancellationToken)
    {
        var result = await queue.RunAsync(
            job,
            (step, steps, token) => SendAsync(new ProcessGeneratingMessage(new QueueOutput([new StepProgress(step, steps)], IsGenerating: true, Duration: null, AverageDuration: null)), token),
            cancellationToken);
        var image = result.Images[0];
        var gallery = new[] { new GalleryImage(null, "data:image/png;base64," + Convert.ToBase64String(image.Png), IsFile: false) };
        return [gallery, image.Infotext];
    }

    private async Task<IReadOnlyList<object?>> HeartbeatAsync((int Count, TimeSpan Interval) beats, CancellationToken cancellationToken)
    {
        for (var beat = 1; beat <= beats.Count; beat++)
        {
            await Task.Delay(beats.Interval, time, cancellationToken);
            await SendAsync(new ProcessGeneratingMessage(new QueueOutput([beat], IsGenerating: true, Duration: null, AverageDuration: null)), cancellationToken);
        }

        return [beats.Count];
    }

    /// <summary>Null when the answer to <c>send_hash</c> names a session and a function of this app; else why not.</summary>
    private static string? ReadSessionInfo(string text, out int fnIndex)
    {
        fnIndex = -1;
        SessionInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<SessionInfo>(text, WebUiJson.Options);
        }
        catch (JsonException)
        {
            info = null;
        }

        if (info is not { SessionHash: { Length: > 0 }, FnIndex: { } asked })
        {
            return """Answer send_hash with {"session_hash": "...", "fn_index": N}.""";
        }

        fnIndex = asked;
        return asked is Txt2ImgFnIndex or HeartbeatFnIndex
            ? null
            : $"fn_index {asked} is not a function of this app; txt2img is {Txt2ImgFnIndex}, heartbeat {HeartbeatFnIndex}.";
    }

    private static bool TryReadData(string text, out JsonElement[] data, out string problem)
    {
        data = [];
        problem = "";
        const string Shape = """send_data is answered with {"data": [...], "event_data": null, "fn_index": N, "session_hash": "..."}""";
        try
        {
            var body = JsonSerializer.Deserialize<PredictBody>(text, WebUiJson.Options);
            if (body?.Data is not { ValueKind: JsonValueKind.Array } array)
            {
                problem = Shape + "; the data list is missing.";
                return false;
            }

            data = [.. array.EnumerateArray()];
            return true;
        }
        catch (JsonException)
        {
            problem = Shape + "; got something that is not such a JSON object.";
            return false;
        }
    }

    private static bool TryReadBeats(JsonElement[] data, out (int Count, TimeSpan Interval) beats, out string problem)
    {
        beats = default;
        if (!TryNumber(data.ElementAtOrDefault(0), "count", out int? count, out problem)
            || !TryNumber(data.ElementAtOrDefault(1), "seconds", out int? seconds, out problem))
        {
            return false;
        }

        if (count is not (>= 0 and <= MaxBeats) || seconds is not (>= 0 and <= 60))
        {
            problem = $"heartbeat takes [count, seconds]: count from 0 to {MaxBeats}, seconds from 0 to 60; got [{count}, {seconds}].";
            return false;
        }

        beats = (count.Value, TimeSpan.FromSeconds(seconds.Value));
        return true;
    }

    private static bool TryReadJob(JsonElement[] data, out GenerationRequest? job, out string problem)
    {
        job = null;
        JsonElement At(int i) => i < data.Length ? data[i] : default;
        if (!TryText(At(0), "prompt", out var prompt, out problem)
            || !TryText(At(1), "negative_prompt", out var negative, out problem)
            || !TryNumber(At(2), "seed", out long? seed, out problem)
            || !TryNumber(At(3), "steps", out int? steps, out problem)
            || !TryNumber(At(4), "width", out int? width, out problem)
            || !TryNumber(At(5), "height", out int? height, out problem))
        {
            return false;
        }

        if (!GenerationRequest.TryCreate(prompt, negative, seed, steps, width, height, batchSize: 1, out var created, out var invalid))
        {
            problem = invalid;
            return false;
        }

        job = created;
        return true;
    }

    private static bool TryText(JsonElement value, string name, out string? text, out string problem)
    {
        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        problem = value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.String ? "" : $"{name} must be text.";
        return problem.Length == 0;
    }

    private static bool TryNumber<T>(JsonElement value, string name, out T? number, out string problem)
        where T : struct, IParsable<T>
    {
        number = null;
        problem = "";
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind == JsonValueKind.Number && T.TryParse(value.GetRawText(), CultureInfo.InvariantCulture, out var parsed))
        {
            number = parsed;
            return true;
        }

        problem = $"{name} must be a whole number; got {value.GetRawText()}.";
        return false;
    }

    /// <summary>One whole text message, or the end of the conversation, or a timeout with the receive still pending.</summary>
    private readonly record struct Received(string Text, bool Ended, bool TimedOut, Task? Pending);

    private async Task<Received> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Not a cancelled receive: cancelling aborts a .NET WebSocket, and the server must still send its close frame.
        using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var receive = ReceiveMessageAsync(cancellationToken);
        var finished = await Task.WhenAny(receive, Task.Delay(timeout, time, stopDelay.Token));
        await stopDelay.CancelAsync();
        if (finished != receive)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return new Received("", Ended: false, TimedOut: true, receive);
        }

        var type = await receive;
        if (type is null)
        {
            await CloseAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {MaxMessageBytes} bytes.", null, cancellationToken);
            return new Received("", Ended: true, TimedOut: false, null);
        }

        if (type == WebSocketMessageType.Close)
        {
            await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, cancellationToken);
            return new Received("", Ended: true, TimedOut: false, null);
        }

        if (type == WebSocketMessageType.Binary)
        {
            await CloseAsync(WebSocketCloseStatus.InvalidMessageType, "The queue speaks JSON text messages.", null, cancellationToken);
            return new Received("", Ended: true, TimedOut: false, null);
        }

        return new Received(System.Text.Encoding.UTF8.GetString(_message.WrittenSpan), Ended: false, TimedOut: false, null);
    }

    /// <summary>Reads one whole message; null when it is too big.</summary>
    private async Task<WebSocketMessageType?> ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        _message.ResetWrittenCount();
        while (true)
        {
            var received = await socket.ReceiveAsync(_message.GetMemory(ReceiveChunk), cancellationToken);
            _message.Advance(received.Count);
            if (_message.WrittenCount > MaxMessageBytes)
            {
                return null;
            }

            if (received.EndOfMessage || received.MessageType == WebSocketMessageType.Close)
            {
                return received.MessageType;
            }
        }
    }

    /// <summary>Sends the close frame and waits briefly for the client's, reading through <paramref name="pending"/> if a receive is under way.</summary>
    private async Task CloseAsync(WebSocketCloseStatus status, string? reason, Task? pending, CancellationToken cancellationToken)
    {
        await socket.CloseOutputAsync(status, reason, cancellationToken);
        using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reply = pending ?? DrainAsync(cancellationToken);
        await Task.WhenAny(reply, Task.Delay(CloseGrace, time, stopDelay.Token));
        await stopDelay.CancelAsync();
        _ = reply.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (await ReceiveMessageAsync(cancellationToken) is { } type && type != WebSocketMessageType.Close)
        {
            // whatever the client still sends before its close frame is not read by Gradio either
        }
    }

    private ValueTask SendAsync<T>(T message, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, WebUiJson.Options).AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
