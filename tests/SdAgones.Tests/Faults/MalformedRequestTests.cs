using System.Net;
using System.Net.Sockets;
using System.Text;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Faults;

/// <summary>
/// A thousand and more broken requests, in ten kinds: each kind gets exactly the answers named for it (a 4xx, the
/// waiting room, or a connection Kestrel itself closes), never a hang and never a 5xx from our code; the gateway
/// serves on.
/// </summary>
[Trait("Category", "Faults")]
public sealed class MalformedRequestTests
{
    /// <summary>The connection closed without an answer.</summary>
    private const int Closed = 0;

    /// <summary>No answer and no close within the time allowed: a failure, except for a body that never comes (<see cref="HeldOpen"/>).</summary>
    private const int Hung = -1;

    /// <summary>
    /// The gateway keeps waiting for a body that has not come, as the runtime itself does: slow and stalling bodies are
    /// forwarded (a person on a weak link uploads at their own pace), and what bounds them is the per-person request cap
    /// and the idle reclaim, not a global data rate (docs/reliability.md). Accepted only for that kind.
    /// </summary>
    private const int HeldOpen = Hung;

    /// <summary>A 503 whose body is the waiting room's (<c>"error":"waiting"</c>); a 503 without it is a failure.</summary>
    private const int WaitingRoom = 1503;

    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    /// <summary>One kind of broken request and the outcomes it may get, with the reason for each.</summary>
    private sealed record Kind(string Name, int[] Accepted);

    // Kestrel answers a broken request line, header block or protocol version itself (400/414/431/505) before any of our
    // code runs, and closes the connection afterwards; a client still writing a header block Kestrel refused may see that
    // close (a reset) before it reads the 431 — the only kind where a closed connection is accepted.
    private static readonly Kind[] Kinds =
    [
        // bad methods (400), over-long request lines (414), and well-formed requests our code answers: forwarded to the
        // person's runtime (200/404/405 from the WebUI), the session API (200/405), the admin API to a non-admin (403),
        // or the waiting room while the newcomer's runtime is allocated.
        new("random method and path", [200, 400, 403, 404, 405, 414, WaitingRoom]),
        // a broken request line is refused before the headers are read: 400, 405 for "*" with a method other than OPTIONS, 414.
        new("header block over Kestrel's limit", [400, 405, 414, 431, Closed]),
        new("Host and identity header twice", [400]),
        new("identity header with bytes that are not ASCII", [400]),
        // the rest of the body never comes: the gateway waits for it as the runtime does (no data-rate minimum on forwarded
        // requests); a newcomer is in the waiting room before anything reads the body.
        new("body shorter than Content-Length", [HeldOpen, WaitingRoom]),
        new("broken WebSocket handshake", [400, 426, WaitingRoom]),
        // 65 to 500 characters: over the development sign-in's 64, so no identity at all.
        new("over-long identity", [401]),
        new("Transfer-Encoding and Content-Length together, bad chunk", [400]),
        new("HTTP/9.9", [505]),
        // a name with bytes the rule refuses (400 with the rule), or the same form cut one byte short (408).
        new("hostile sign-in form, whole or cut short", [400, 408]),
    ];

    private static IEnumerable<(int Kind, byte[] Bytes)> Generate(int seed)
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
                6 => $"GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {new string('u', random.Next(65, 500))}\r\nConnection: close\r\n\r\n",
                7 => $"POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzz\r\n",
                8 => $"GET /sdapi/v1/options HTTP/9.9\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\n\r\n",
                _ => $"POST /_sd/signin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {39 + random.Next(2)}\r\nConnection: close\r\n\r\nname=%ff%fe%00&returnUrl=//evil.example",
            };
            yield return (kind, Encoding.Latin1.GetBytes(text));
        }
    }

    [Fact]
    public async Task A_thousand_broken_requests_get_exactly_the_answers_named_for_their_kind_and_the_gateway_serves_on()
    {
        await using var world = await FaultWorld.StartAsync();
        var gateway = await world.StartGatewayAsync();
        using var alice = FaultWorld.Client(gateway, "alice");
        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");

        var requests = Generate(seed: 20261129).Take(1200).ToList();
        var outcomes = new int[requests.Count];
        // Sixty at a time: the requests whose bodies never come wait out Kestrel's data-rate grace side by side.
        await Parallel.ForEachAsync(Enumerable.Range(0, requests.Count), new ParallelOptions { MaxDegreeOfParallelism = 60 },
            async (i, _) => outcomes[i] = await SendAsync(gateway.Url.Port, requests[i].Bytes));

        Assert.Equal(1200, outcomes.Length);
        var wrong = outcomes.Select((outcome, i) => (outcome, i)).Where(x => !Kinds[requests[x.i].Kind].Accepted.Contains(x.outcome)).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of 1200 answers were not the ones named for their kind:\n" + string.Join("\n", wrong
            .GroupBy(x => (requests[x.i].Kind, x.outcome)).Select(g => $"{Kinds[g.Key.Kind].Name}: {Describe(g.Key.outcome)} ×{g.Count()}, e.g. "
                + Encoding.Latin1.GetString(requests[g.First().i].Bytes)[..Math.Min(120, requests[g.First().i].Bytes.Length)].ReplaceLineEndings(" "))));
        // Every kind got at least one real answer (or, for the body that never comes, was held open), so no kind passes by
        // closed connections alone.
        Assert.All(Enumerable.Range(0, Kinds.Length), k => Assert.Contains(outcomes.Where((_, i) => requests[i].Kind == k),
            o => o > Closed || (o == HeldOpen && Kinds[k].Accepted.Contains(HeldOpen))));
        Assert.False(gateway.HasExited);
        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice to be served after the storm");
    }

    private static string Describe(int outcome) => outcome switch
    {
        Closed => "connection closed without an answer",
        Hung => $"no answer within {AnswerTimeout.TotalSeconds:0} s",
        WaitingRoom => "503 from the waiting room",
        _ => outcome.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The status of the answer (<see cref="WaitingRoom"/> for a 503 carrying the waiting room's body, a plain 503
    /// otherwise), <see cref="Closed"/> when the gateway closed the connection without one, <see cref="Hung"/> when
    /// nothing came back in time. The request is sent as a client sends it, without closing our side first: Kestrel
    /// takes a half-closed connection for a client that left and answers nothing at all.
    /// </summary>
    private static async Task<int> SendAsync(int port, byte[] request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        using var cts = new CancellationTokenSource(AnswerTimeout);
        var answer = new MemoryStream();
        try
        {
            await stream.WriteAsync(request, cts.Token);
            var buffer = new byte[16 * 1024];
            int read;
            while (!Complete(answer) && (read = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            return Hung;
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            // a reset: judged by what arrived before it
        }

        var text = Encoding.Latin1.GetString(answer.GetBuffer(), 0, (int)answer.Length);
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || text.Length < 12 || !int.TryParse(text.AsSpan(9, 3), out var status))
        {
            return Closed;
        }

        return status == 503 && text.Contains("\"error\":\"waiting\"", StringComparison.Ordinal) ? WaitingRoom : status;
    }

    /// <summary>Whether a whole answer arrived: its head, then its body by Content-Length or chunked framing (a kept-alive
    /// connection does not close after it).</summary>
    private static bool Complete(MemoryStream answer)
    {
        var text = Encoding.Latin1.GetString(answer.GetBuffer(), 0, (int)answer.Length);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var head = text[..end];
        if (head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            return true;
        }

        var body = text.Length - end - 4;
        var length = System.Text.RegularExpressions.Regex.Match(head, @"\r\nContent-Length: *(\d+)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        if (length.Success)
        {
            return body >= int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        return head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) && text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
    }
}
