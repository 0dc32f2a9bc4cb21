using System.Net;
using System.Net.Sockets;
using System.Text;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Faults;

/// <summary>Person B can never reach person A's runtime, whatever B puts in the request.</summary>
[Trait("Category", "Faults")]
public sealed class IsolationTests
{
    [Fact]
    public async Task No_request_trick_reaches_another_persons_runtime()
    {
        await using var world = await FaultWorld.StartAsync();
        var gateway = await world.StartGatewayAsync();
        using var alice = FaultWorld.Client(gateway, "alice");
        using var bob = FaultWorld.Client(gateway, "bob");
        var alicesRuntime = await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");
        var bobsRuntime = await RuntimeProbe.WaitForRuntimeAsync(bob, "bob's runtime");
        var alicesServer = (await world.Agones.ListAsync()).Single(s => s.Name == alicesRuntime);
        var alicesPort = RuntimeAddress.WebUI(alicesServer)!.Port;
        var image = await alice.PostAsync("/sdapi/v1/txt2img", JsonContent("""{"prompt":"private","seed":1,"steps":1}"""));
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        var alicesFile = Path.Combine(world.Agones.StorageRoot, "runtimes", alicesRuntime);

        string[] raw =
        [
            $"GET http://127.0.0.1:{alicesPort}/sdapi/v1/cmd-flags HTTP/1.1\r\nHost: 127.0.0.1:{alicesPort}\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n",
            $"GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: 127.0.0.1:{alicesPort}\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n",
            $"GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Host: 127.0.0.1:{alicesPort}\r\nX-Forwarded-For: 127.0.0.1\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n",
            $"GET //127.0.0.1:{alicesPort}/sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n",
            "GET /..%2f..%2fsdapi/v1/options HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n",
            "GET /%2e%2e/%2e%2e/sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n",
            "GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nX-SdAgones-Dev-User: alice\r\nConnection: close\r\n\r\n",
            "GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nx-goog-authenticated-user-email: accounts.google.com:alice\r\nConnection: close\r\n\r\n",
            $"GET /file={alicesFile}/outputs/txt2img-images/00000-1.png HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n",
            $"GET /file=../../{alicesRuntime}/outputs/txt2img-images/00000-1.png HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n",
            "GET /_sd/api/admin/sessions HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n",
            "POST /_sd/api/admin/sessions/alice/release HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ];

        foreach (var request in raw)
        {
            // An error may quote the path Bob sent; only a success can leak Alice's data, and none may.
            var response = await SendRawAsync(gateway.Url.Port, request);
            var firstLine = request[..request.IndexOf('\r', StringComparison.Ordinal)];
            if (request.Contains("/file=", StringComparison.Ordinal) || request.Contains("/_sd/api/admin", StringComparison.Ordinal))
            {
                Assert.False(response.StartsWith("HTTP/1.1 2", StringComparison.Ordinal), $"{firstLine} succeeded: {response[..Math.Min(200, response.Length)]}");
            }
            else if (response.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
            {
                Assert.DoesNotContain(alicesRuntime, response, StringComparison.Ordinal);
                Assert.Contains(bobsRuntime, response, StringComparison.Ordinal);
            }
        }

        Assert.Equal(alicesRuntime, await RuntimeProbe.RuntimeThatAnsweredAsync(await alice.GetAsync("/sdapi/v1/cmd-flags")));
    }

    private static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<string> SendRawAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            return await reader.ReadToEndAsync(cts.Token);
        }
        catch (IOException)
        {
            return "";
        }
    }
}
