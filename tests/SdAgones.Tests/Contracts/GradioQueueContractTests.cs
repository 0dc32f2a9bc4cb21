using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using SdAgones.Tests.Infrastructure;
using SdAgones.WebUI;

namespace SdAgones.Tests.Contracts;

/// <summary>
/// The <c>/queue/join</c> exchange of Gradio 3.41, as the browser, the gateway and the activity rule see it (issue 23
/// §4), checked against the stand-in WebUI. The sequence, from gradio-app/gradio v3.41.0:
/// gradio/routes.py <c>join_queue</c>: the server accepts and sends <c>{"msg":"send_hash"}</c>; the client answers
/// <c>{"session_hash", "fn_index"}</c> within 5 s (<c>asyncio.wait_for(websocket.receive_json(), timeout=5)</c>) or the
/// server gives up and the socket closes; the server pushes the event and sends its estimation
/// (gradio/data_classes.py <c>Estimation</c>: msg, rank, queue_size, avg_event_process_time,
/// avg_event_concurrent_process_time, rank_eta, queue_eta). gradio/queueing.py <c>gather_event_data</c>:
/// <c>{"msg":"send_data"}</c>, answered by <c>{"data", "event_data", "fn_index", "session_hash"}</c>;
/// <c>process_events</c>: <c>{"msg":"process_starts"}</c>, one <c>{"msg":"process_generating","output","success"}</c>
/// per intermediate result, <c>{"msg":"process_completed","output","success"}</c>, then <c>disconnect()</c> (1000).
/// Not reproduced: <c>queue_full</c>, cancellation, <c>every=</c> events, Gradio's <c>progress</c> and <c>log</c> messages.
/// </summary>
public sealed class GradioQueueContractTests
{
    [Fact]
    public async Task The_queue_exchange_is_Gradio_3_41s_message_sequence()
    {
        await using var webUi = await StartAsync();

        for (var run = 0; run < 2; run++)
        {
            using var queue = await GradioQueueClient.ConnectAsync(webUi.Join);

            // The server speaks first: send_hash, before the client has sent anything.
            Assert.Equal("""{"msg":"send_hash"}""", (await queue.NextAsync()).GetRawText());
            await queue.SendAsync(new { session_hash = queue.SessionHash, fn_index = GradioQueueClient.Txt2ImgFnIndex });

            var estimation = (await queue.NextAsync());
            Assert.Equal(["msg", "rank", "queue_size", "avg_event_process_time", "avg_event_concurrent_process_time", "rank_eta", "queue_eta"],
                estimation.EnumerateObject().Select(p => p.Name));
            Assert.Equal("estimation", estimation.GetProperty("msg").GetString());
            Assert.Equal(0, estimation.GetProperty("rank").GetInt32());
            Assert.Equal(1, estimation.GetProperty("queue_size").GetInt32());
            // No average before the first completed event (Gradio's avg_process_time starts as None), one after it.
            Assert.Equal(run == 0 ? JsonValueKind.Null : JsonValueKind.Number, estimation.GetProperty("avg_event_process_time").ValueKind);
            Assert.Equal("""{"msg":"send_data"}""", (await queue.NextAsync()).GetRawText());

            await queue.SendAsync(new { data = new object?[] { "a lighthouse", "", 7, 3, 64, 64 }, event_data = (object?)null, fn_index = GradioQueueClient.Txt2ImgFnIndex, session_hash = queue.SessionHash });
            Assert.Equal("""{"msg":"process_starts"}""", (await queue.NextAsync()).GetRawText());
            for (var step = 1; step <= 3; step++)
            {
                var generating = (await queue.NextAsync());
                Assert.Equal(["msg", "output", "success"], generating.EnumerateObject().Select(p => p.Name));
                Assert.Equal("process_generating", generating.GetProperty("msg").GetString());
                Assert.True(generating.GetProperty("success").GetBoolean());
                Assert.True(generating.GetProperty("output").GetProperty("is_generating").GetBoolean());
                Assert.Equal(step, generating.GetProperty("output").GetProperty("data")[0].GetProperty("step").GetInt32());
            }

            var completed = (await queue.NextAsync());
            Assert.Equal(["msg", "output", "success"], completed.EnumerateObject().Select(p => p.Name));
            Assert.Equal("process_completed", completed.GetProperty("msg").GetString());
            Assert.True(completed.GetProperty("success").GetBoolean());
            Assert.False(completed.GetProperty("output").GetProperty("is_generating").GetBoolean());
            Assert.Equal(JsonValueKind.Number, completed.GetProperty("output").GetProperty("average_duration").ValueKind);
            Assert.Equal(64, DecodedWidth(GradioQueueClient.ImageOf(completed)));

            // Then the server closes: disconnect() with 1000.
            Assert.Null(await queue.ReceiveAsync());
            Assert.Equal(WebSocketCloseStatus.NormalClosure, queue.Socket.CloseStatus);
        }
    }

    [Fact]
    public async Task A_client_that_does_not_answer_send_hash_is_closed_after_5_seconds()
    {
        await using var webUi = await StartAsync();
        using var silent = await GradioQueueClient.ConnectAsync(webUi.Join);
        using var answering = await GradioQueueClient.ConnectAsync(webUi.Join);

        Assert.Equal("send_hash", (await silent.NextAsync()).GetProperty("msg").GetString());
        var waited = Stopwatch.StartNew();
        // The positive control: a client that answers on a socket opened at the same moment goes on to send_data.
        await answering.JoinAsync();

        // The silent client's next event is the close, about 5 s after send_hash (routes.py: timeout=5).
        Assert.Null(await silent.ReceiveAsync(TimeSpan.FromSeconds(20)));
        Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(15));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, silent.Socket.CloseStatus);
        Assert.Contains("session_hash", silent.Socket.CloseStatusDescription, StringComparison.Ordinal);
        Assert.Equal(WebSocketState.Open, answering.Socket.State);
    }

    [Fact]
    public async Task An_answer_naming_no_function_of_the_app_closes_the_socket_with_the_reason()
    {
        await using var webUi = await StartAsync();
        using var queue = await GradioQueueClient.ConnectAsync(webUi.Join);
        await queue.ExpectAsync("send_hash");

        await queue.SendAsync(new { session_hash = queue.SessionHash, fn_index = 99 });

        Assert.Null(await queue.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, queue.Socket.CloseStatus);
        Assert.Equal("fn_index 99 is not a function of this app; txt2img is 0, heartbeat 1.", queue.Socket.CloseStatusDescription);
    }

    [Fact]
    public async Task Inputs_the_function_refuses_complete_the_event_with_the_error()
    {
        await using var webUi = await StartAsync();
        using var queue = await GradioQueueClient.ConnectAsync(webUi.Join);
        await queue.JoinAsync();

        await queue.SendDataAsync("a lighthouse", "", 7, 999, null, null);

        // queueing.py: an exception in the function is process_completed with {"error": ...} and success false.
        var completed = await queue.ExpectAsync("process_completed");
        Assert.False(completed.GetProperty("success").GetBoolean());
        Assert.Equal("steps must be from 1 to 150; got 999.", completed.GetProperty("output").GetProperty("error").GetString());
        Assert.Null(await queue.ReceiveAsync());
    }

    private static int DecodedWidth(byte[] png) => System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));

    private static async Task<StandIn> StartAsync()
    {
        var data = Directory.CreateTempSubdirectory("sdagones-queue-contract-");
        var app = StandInWebUi.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--WebUI:DataRoot", data.FullName,
            "--WebUI:StepDelay", "00:00:00.005",
            "--Logging:LogLevel:Default", "Warning",
        ]);
        await app.StartAsync();
        return new StandIn(app, data);
    }

    private sealed class StandIn(WebApplication app, DirectoryInfo data) : IAsyncDisposable
    {
        public Uri Join { get; } = new UriBuilder(new Uri(app.Urls.Single())) { Scheme = "ws", Path = "/queue/join" }.Uri;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
            data.Delete(recursive: true);
        }
    }
}
