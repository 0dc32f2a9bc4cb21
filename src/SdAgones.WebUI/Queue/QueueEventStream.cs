using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using SdAgones.WebUI.Api;
using SdAgones.WebUI.Generation;

namespace SdAgones.WebUI.Queue;

/// <summary>
/// <c>GET /_standin/events?prompt=…&amp;seed=…&amp;steps=…</c>: runs a generation and sends each step as a server-sent
/// event the moment it happens, then a completion event, then ends. The real WebUI has no such route (Gradio 3.41's
/// queue is WebSocket only); it exists so tests see the gateway forward an event stream unbuffered.
/// </summary>
internal static class QueueEventStream
{
    /// <summary>The stand-in's own route, under <c>/_standin/</c> so no one mistakes it for Gradio's.</summary>
    public const string Path = "/_standin/events";

    public static async Task StreamAsync(HttpContext context, GenerationQueue queue)
    {
        if (!TryReadJob(context.Request.Query, out var job, out var problem))
        {
            await ApiError.BadRequest("ValidationError", problem).ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.Body.FlushAsync(cancellationToken);

        try
        {
            var result = await queue.RunAsync(job, (step, steps, token) => SendAsync(response, new StreamStepMessage(step, steps), token), cancellationToken);
            var image = result.Images[0];
            await SendAsync(response, new StreamCompletedMessage(image.Seed, image.Png.Length), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; nobody is left to tell.
        }
    }

    private static async ValueTask SendAsync<T>(HttpResponse response, T message, CancellationToken cancellationToken)
    {
        byte[] data = [.. "data: "u8, .. JsonSerializer.SerializeToUtf8Bytes(message, WebUiJson.Options), .. "\n\n"u8];
        await response.Body.WriteAsync(data, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static bool TryReadJob(IQueryCollection query, out GenerationRequest job, out string problem)
    {
        job = null!;
        if (!TryNumber(query, "seed", out long? seed, out problem)
            || !TryNumber(query, "steps", out int? steps, out problem)
            || !TryNumber(query, "width", out int? width, out problem)
            || !TryNumber(query, "height", out int? height, out problem))
        {
            return false;
        }

        if (!GenerationRequest.TryCreate(query["prompt"], query["negative_prompt"], seed, steps, width, height, batchSize: 1, out var created, out var invalid))
        {
            problem = invalid;
            return false;
        }

        job = created;
        return true;
    }

    private static bool TryNumber<T>(IQueryCollection query, string name, out T? value, out string problem)
        where T : struct, IParsable<T>
    {
        value = null;
        problem = "";
        string? text = query[name];
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (T.TryParse(text, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        problem = $"{name} must be a whole number; got '{text}'.";
        return false;
    }
}

/// <summary>An SSE event after every sampling step.</summary>
internal sealed record StreamStepMessage(int Step, int Steps)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Msg => "progress";
}

/// <summary>The last SSE event: the seed used and the size of the PNG made.</summary>
internal sealed record StreamCompletedMessage(long Seed, int Bytes)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Msg => "process_completed";
}
