using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// What one person may hold through the gateway: at most 32 WebSockets (the 33rd is a 429 with a message, others are
/// unaffected), a rate limit on the gateway's own API per identity; and slow or stalling uploads that the runtime
/// accepts are passed on, not cut by a minimum data rate.
/// </summary>
[Trait("Category", "Faults")]
public sealed class PersonLimitsTests(DevGatewayWorld world) : IClassFixture<DevGatewayWorld>
{
    [Fact]
    public async Task The_33rd_WebSocket_of_one_person_is_a_429_while_others_still_connect()
    {
        using var alice = GatewayClient.For(world.Gateway.Url, "sockets-alice");
        using var bob = GatewayClient.For(world.Gateway.Url, "sockets-bob");
        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");
        await RuntimeProbe.WaitForRuntimeAsync(bob, "bob's runtime");
        var open = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i < 32; i++)
            {
                open.Add(await ConnectAsync("sockets-alice"));
            }

            var refused = await RawHttp.SendAsync(world.Gateway.Url, Upgrade("sockets-alice"));
            var bobs = await RawHttp.SendAsync(world.Gateway.Url, Upgrade("sockets-bob"));

            Assert.True(refused.Status == 429, refused.ToString());
            Assert.Contains("32 WebSocket connections open (the limit is 32)", refused.Detail(), StringComparison.Ordinal);
            Assert.True(bobs.Status == 101, bobs.ToString());

            await open[0].CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            await Eventually.HoldsAsync(async () => (await RawHttp.SendAsync(world.Gateway.Url, Upgrade("sockets-alice"))).Status == 101,
                TimeSpan.FromSeconds(20), "a place for alice after closing one socket");
        }
        finally
        {
            foreach (var socket in open)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_gateways_own_API_is_rate_limited_per_identity()
    {
        var limited = await world.World.StartGatewayAsync(("Gateway:ApiBurst", "5"), ("Gateway:ApiRequestsPerSecond", "1"));
        using var carol = GatewayClient.For(limited.Url, "rate-carol");
        using var dave = GatewayClient.For(limited.Url, "rate-dave");

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => carol.GetAsync("/_sd/api/session")));
        var daves = await dave.GetAsync("/_sd/api/session");

        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        var refused = Assert.Single(answers, a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("too many requests to the gateway's own API", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, daves.StatusCode);
    }

    [Fact]
    public async Task An_upload_sent_at_150_bytes_a_second_reaches_the_runtime_whole()
    {
        var body = RandomNumberGenerator.GetBytes(1500);

        var response = await SlowUploadAsync("slow-150.bin", body, async (stream, ct) =>
        {
            for (var sent = 0; sent < body.Length; sent += 15)
            {
                await stream.WriteAsync(body.AsMemory(sent, 15), ct);
                await Task.Delay(100, ct); // the slow sender's own pace: 150 B/s
            }
        });

        AssertStored(response, body);
    }

    [Fact]
    public async Task An_upload_that_stalls_for_12_seconds_reaches_the_runtime_whole()
    {
        var body = RandomNumberGenerator.GetBytes(3000);

        var response = await SlowUploadAsync("stall-12s.bin", body, async (stream, ct) =>
        {
            await stream.WriteAsync(body.AsMemory(0, 1000), ct);
            await Task.Delay(TimeSpan.FromSeconds(12), ct); // the stall
            await stream.WriteAsync(body.AsMemory(1000), ct);
        });

        AssertStored(response, body);
    }

    private async Task<RawHttp.Response> SlowUploadAsync(string name, byte[] body, Func<NetworkStream, CancellationToken, Task> send)
    {
        using var uploader = GatewayClient.For(world.Gateway.Url, "slow-uploader");
        await RuntimeProbe.WaitForRuntimeAsync(uploader, "the uploader's runtime");
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, world.Gateway.Url.Port);
        var stream = client.GetStream();
        var head = $"POST /upload?name={name} HTTP/1.1\r\nHost: {world.Gateway.Url.Authority}\r\nX-SdAgones-Dev-User: slow-uploader\r\n" +
            $"Content-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await send(stream, cts.Token);
        return await RawHttp.ReadAsync(stream, untilHeadOf101: false);
    }

    private static void AssertStored(RawHttp.Response response, byte[] body)
    {
        Assert.True(response.Status == 200, response.ToString());
        var stored = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(body.Length, stored.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), stored.GetProperty("sha256").GetString());
    }

    private async Task<ClientWebSocket> ConnectAsync(string person)
    {
        // Answer Gradio's send_hash at once, or the runtime closes the socket after 5 s; it then waits up to 60 s for the inputs.
        var queue = await GradioQueueClient.ConnectAsync(new Uri($"ws://{world.Gateway.Url.Authority}/queue/join"), o => o.SetRequestHeader("X-SdAgones-Dev-User", person));
        await queue.JoinAsync();
        return queue.Socket;
    }

    private static string[] Upgrade(string person) =>
    [
        "GET /queue/join HTTP/1.1", $"X-SdAgones-Dev-User: {person}", "Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ];
}
