using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using SdAgones.WebUI.Api;
using SdAgones.WebUI.Generation;

namespace SdAgones.WebUI.Queue;

/// <summary>
/// One <c>/queue/join</c> connection: a txt2img job message runs a generation and streams its steps and image;
/// any other message comes back unchanged (benchmarks hold thousands of these open).
/// </summary>
internal sealed class QueueSocket(WebSocket socket, GenerationQueue queue, ILogger logger)
{
    private const int MaxMessageBytes = 1 << 20;
    private const int ReceiveChunk = 4096;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>(ReceiveChunk);
        try
        {
            while (true)
            {
                message.ResetWrittenCount();
                var type = await ReceiveMessageAsync(message, cancellationToken);
                if (type is null)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {MaxMessageBytes} bytes.", cancellationToken);
                    return;
                }

                if (type == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    return;
                }

                var job = type == WebSocketMessageType.Text ? AsJob(message.WrittenSpan) : null;
                if (job is null)
                {
                    await socket.SendAsync(message.WrittenMemory, type.Value, endOfMessage: true, cancellationToken);
                }
                else
                {
                    await RunJobAsync(job, cancellationToken);
                }
            }
        }
        catch (WebSocketException e)
        {
            logger.ConnectionLost(e.WebSocketErrorCode.ToString());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.ConnectionLost("request aborted");
        }
    }

    /// <summary>Reads one whole message into <paramref name="message"/>; null when it is too big.</summary>
    private async Task<WebSocketMessageType?> ReceiveMessageAsync(ArrayBufferWriter<byte> message, CancellationToken cancellationToken)
    {
        while (true)
        {
            var received = await socket.ReceiveAsync(message.GetMemory(ReceiveChunk), cancellationToken);
            message.Advance(received.Count);
            if (message.WrittenCount > MaxMessageBytes)
            {
                return null;
            }

            if (received.EndOfMessage || received.MessageType == WebSocketMessageType.Close)
            {
                return received.MessageType;
            }
        }
    }

    private static JsonObject? AsJob(ReadOnlySpan<byte> text)
    {
        var trimmed = text.TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty || trimmed[0] != (byte)'{')
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text) is JsonObject obj && obj["fn"] is JsonValue fn && fn.TryGetValue(out string? name) && name == "txt2img"
                ? obj
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task RunJobAsync(JsonObject message, CancellationToken cancellationToken)
    {
        if (!JsonBody.TryConvert<QueueJob>(message, out var asked, out var problem)
            || !GenerationRequest.TryCreate(asked.Prompt, asked.NegativePrompt, asked.Seed, asked.Steps, asked.Width, asked.Height, batchSize: 1, out var job, out problem))
        {
            await SendAsync(new SocketFailedMessage("ValidationError", problem), cancellationToken);
            return;
        }

        var result = await queue.RunAsync(job, (step, steps, token) => SendAsync(new StepMessage(step, steps), token), cancellationToken);
        var image = result.Images[0];
        await SendAsync(new SocketCompletedMessage(Convert.ToBase64String(image.Png), image.Seed), cancellationToken);
    }

    private ValueTask SendAsync<T>(T message, CancellationToken cancellationToken) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, WebUiJson.Options).AsMemory(), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
