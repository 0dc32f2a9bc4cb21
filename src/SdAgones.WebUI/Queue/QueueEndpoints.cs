using SdAgones.WebUI.Api;
using SdAgones.WebUI.Generation;

namespace SdAgones.WebUI.Queue;

/// <summary>
/// The long-lived channels: Gradio 3.41's <c>/queue/join</c> WebSocket, and the stand-in's own server-sent event
/// stream (<see cref="QueueEventStream.Path"/>; Gradio 3.41 has no SSE queue) so the gateway's SSE forwarding is tested.
/// </summary>
internal static class QueueEndpoints
{
    public static IServiceCollection AddQueue(this IServiceCollection services) => services.AddSingleton<QueueLine>();

    public static WebApplication MapQueue(this WebApplication app)
    {
        app.Map("/queue/join", JoinAsync);
        app.MapGet(QueueEventStream.Path, QueueEventStream.StreamAsync);
        return app;
    }

    private static async Task JoinAsync(HttpContext context, GenerationQueue queue, QueueLine line, TimeProvider time, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await ApiError.BadRequest("NotWebSocket", "/queue/join speaks WebSocket; connect with a WebSocket client.").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new QueueSocket(socket, queue, line, time, loggers.CreateLogger<QueueSocket>());
        await connection.RunAsync(context.RequestAborted);
    }
}

internal static partial class QueueLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue WebSocket ended without a close handshake: {Reason}")]
    public static partial void ConnectionLost(this ILogger logger, string reason);
}
