using SdAgones.WebUI.Api;
using SdAgones.WebUI.Generation;

namespace SdAgones.WebUI.Queue;

/// <summary>Gradio's long-lived channels: the <c>/queue/join</c> WebSocket and the <c>/queue/data</c> event stream.</summary>
internal static class QueueEndpoints
{
    public static WebApplication MapQueue(this WebApplication app)
    {
        app.Map("/queue/join", JoinAsync);
        app.MapGet("/queue/data", QueueEventStream.StreamAsync);
        return app;
    }

    private static async Task JoinAsync(HttpContext context, GenerationQueue queue, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiError.BadRequest("NotWebSocket", "/queue/join speaks WebSocket; connect with a WebSocket client.").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new QueueSocket(socket, queue, loggers.CreateLogger<QueueSocket>());
        await connection.RunAsync(context.RequestAborted);
    }
}

internal static partial class QueueLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue WebSocket ended without a close handshake: {Reason}")]
    public static partial void ConnectionLost(this ILogger logger, string reason);
}
