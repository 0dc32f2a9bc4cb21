using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// HTTP/1.1 over a plain socket, for what <see cref="HttpClient"/> will not send: the same header line twice, a
/// WebSocket upgrade whose refusal body we want to read, a body sent slowly.
/// </summary>
public static class RawHttp
{
    public sealed record Response(int Status, string Head, string Body)
    {
        public string? Header(string name) => Head.Split("\r\n")
            .FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim();

        /// <summary>The ProblemDetails <c>detail</c> (or plain body when it is not JSON).</summary>
        public string Detail()
        {
            try
            {
                return JsonDocument.Parse(Body).RootElement.GetProperty("detail").GetString() ?? "";
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                return Body;
            }
        }

        public override string ToString() => $"{Status}\n{Head}\n\n{Body}";
    }

    /// <summary>Sends <paramref name="head"/> lines (request line first; Host and Connection: close are added) and reads the whole answer.</summary>
    public static async Task<Response> SendAsync(Uri server, IEnumerable<string> head, byte[]? body = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = client.GetStream();
        var lines = head.Append($"Host: {server.Authority}").ToList();
        if (!lines.Any(l => l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase)))
        {
            lines.Add("Connection: close");
        }

        var text = string.Join("\r\n", lines) + "\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(text));
        if (body is not null)
        {
            await stream.WriteAsync(body);
        }

        return await ReadAsync(stream, untilHeadOf101: true);
    }

    /// <summary>Reads one response (by its length, its chunks or to the end); a 101 answer is returned as soon as its head is complete (the socket stays open).</summary>
    public static async Task<Response> ReadAsync(Stream stream, bool untilHeadOf101)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int headEnd;
        while ((headEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
        {
            var got = await stream.ReadAsync(chunk, cts.Token);
            if (got == 0)
            {
                throw new IOException("the connection closed before a response head: " + Encoding.Latin1.GetString(buffer.ToArray()));
            }

            buffer.Write(chunk, 0, got);
        }

        var all = buffer.ToArray();
        var head = Encoding.Latin1.GetString(all, 0, headEnd);
        var status = int.Parse(head.Split(' ', 3)[1], CultureInfo.InvariantCulture);
        if (status == 101 && untilHeadOf101)
        {
            return new Response(status, head, "");
        }

        var rest = new MemoryStream();
        rest.Write(all, headEnd + 4, all.Length - headEnd - 4);
        var response = new Response(status, head, "");
        var chunked = string.Equals(response.Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase);
        long? length = long.TryParse(response.Header("Content-Length"), CultureInfo.InvariantCulture, out var l) ? l : null;
        bool Complete() => chunked ? rest.GetBuffer().AsSpan(0, (int)rest.Length).EndsWith("0\r\n\r\n"u8) : length is { } n && rest.Length >= n;
        int read;
        while (!Complete() && (read = await ReadOrEndAsync(stream, chunk, cts.Token)) > 0)
        {
            rest.Write(chunk, 0, read);
        }

        var bytes = rest.ToArray();
        return response with { Body = Encoding.UTF8.GetString(chunked ? Dechunk(bytes) : bytes) };
    }

    private static async Task<int> ReadOrEndAsync(Stream stream, byte[] chunk, CancellationToken ct)
    {
        try
        {
            return await stream.ReadAsync(chunk, ct);
        }
        catch (IOException)
        {
            return 0; // reset after the answer: the server closed first
        }
    }

    private static byte[] Dechunk(byte[] bytes)
    {
        var output = new MemoryStream();
        var i = 0;
        while (i < bytes.Length)
        {
            var lineEnd = Array.IndexOf(bytes, (byte)'\n', i);
            if (lineEnd < 0)
            {
                break;
            }

            var size = int.Parse(Encoding.Latin1.GetString(bytes, i, lineEnd - i).Trim().Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                break;
            }

            output.Write(bytes, lineEnd + 1, size);
            i = lineEnd + 1 + size + 2;
        }

        return output.ToArray();
    }

    private static int IndexOf(MemoryStream buffer, ReadOnlySpan<byte> pattern) => buffer.GetBuffer().AsSpan(0, (int)buffer.Length).IndexOf(pattern);
}
