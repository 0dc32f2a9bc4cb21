using System.Net;
using System.Net.Sockets;
using System.Text;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Faults;

/// <summary>A thousand and more broken requests: each gets a 4xx or a closed connection, never a 5xx, and the gateway serves on.</summary>
[Trait("Category", "Faults")]
public sealed class MalformedRequestTests
{
    private static IEnumerable<byte[]> Generate(int seed)
    {
        var random = new Random(seed);
        string[] users = ["mallory", "alice"];
        string[] methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "FOO", "G ET", "GET\u0001", "", "CONNECT", "TRACE"];
        string[] paths = ["/", "/sdapi/v1/cmd-flags", "/_sd/api/session", "/%", "/%ff%fe", "/\u00ff\u00fe", "*", "/a?b=%zz", "/" + new string('a', 20_000), "/queue/join", "/_sd/api/admin/sessions/%00/release"];
        for (var i = 0; ; i++)
        {
            var kind = i % 10;
            var method = methods[random.Next(methods.Length)];
            var path = paths[random.Next(paths.Length)];
            var user = users[random.Next(users.Length)];
            var text = kind switch
            {
                0 => $"{method} {path} HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\nConnection: close\r\n\r\n",
                1 => $"GET {path} HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\nX-Big: {new string('x', 70_000 + random.Next(10_000))}\r\nConnection: close\r\n\r\n",
                2 => $"GET / HTTP/1.1\r\nHost: localhost\r\nHost: other\r\nX-SdAgones-Dev-User: {user}\r\nX-SdAgones-Dev-User: {user}2\r\nConnection: close\r\n\r\n",
                3 => $"GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: \u00ff\u00fe\u00c3\u0028{user}\r\nConnection: close\r\n\r\n",
                4 => $"POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\nContent-Type: application/json\r\nContent-Length: {1000 + random.Next(1000)}\r\n\r\n{{\"prompt\":\"trunc",
                5 => $"GET /queue/join HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: {random.Next(20)}\r\nSec-WebSocket-Key: {(random.Next(2) == 0 ? "bad" : "")}\r\n\r\n",
                6 => $"GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {new string('u', random.Next(60, 500))}\r\nConnection: close\r\n\r\n",
                7 => $"POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzz\r\n",
                8 => $"GET /sdapi/v1/options HTTP/9.9\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\n\r\n",
                _ => $"POST /_sd/signin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 40\r\nConnection: close\r\n\r\nname=%ff%fe%00&returnUrl=//evil.example",
            };
            yield return Encoding.Latin1.GetBytes(text);
        }
    }

    [Fact]
    public async Task A_thousand_broken_requests_never_get_a_5xx_and_the_gateway_serves_on()
    {
        await using var world = await FaultWorld.StartAsync();
        var gateway = await world.StartGatewayAsync();
        using var alice = FaultWorld.Client(gateway, "alice");
        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");

        var requests = Generate(seed: 20261129).Take(1200).ToList();
        var statuses = new List<int>();
        foreach (var batch in requests.Chunk(20))
        {
            statuses.AddRange(await Task.WhenAll(batch.Select(bytes => SendAsync(gateway.Url.Port, bytes))));
        }

        Assert.Equal(1200, statuses.Count);
        // 503 is the waiting room's honest answer; 505 is HTTP's own answer to "HTTP/9.9", given by Kestrel before any of our code runs.
        var serverErrors = statuses.Select((status, i) => (status, i)).Where(x => x.status >= 500 && x.status is not (503 or 505)).ToList();
        Assert.True(serverErrors.Count == 0, $"{serverErrors.Count} answers were 5xx, e.g. " + string.Join(" | ", serverErrors.Take(5)
            .Select(x => $"{x.status} for {System.Text.Encoding.Latin1.GetString(requests[x.i])[..Math.Min(120, requests[x.i].Length)].ReplaceLineEndings(" ")}")));
        Assert.Contains(statuses, s => s is >= 400 and < 500);
        Assert.False(gateway.HasExited);
        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice to be served after the storm");
    }

    /// <summary>The status code of the answer, or 0 when the gateway closed the connection without one.</summary>
    private static async Task<int> SendAsync(int port, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await stream.WriteAsync(request, cts.Token);
            client.Client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[64];
            var read = await stream.ReadAtLeastAsync(buffer, 12, throwOnEndOfStream: false, cts.Token);
            var head = Encoding.Latin1.GetString(buffer, 0, read);
            return head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && int.TryParse(head.AsSpan(9, 3), out var status) ? status : 0;
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            return 0;
        }
    }
}
