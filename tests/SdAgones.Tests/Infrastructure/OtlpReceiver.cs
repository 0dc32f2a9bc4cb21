using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SdAgones.Tests.Infrastructure;

/// <summary>One span as an OTLP receiver sees it: the sending service, the trace it belongs to, its name and attributes.</summary>
public sealed record ReceivedSpan(
    string Service, string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes,
    ulong StartUnixNano = 0, ulong EndUnixNano = 0)
{
    /// <summary>How long the span lasted, in milliseconds.</summary>
    public double DurationMs => (EndUnixNano - StartUnixNano) / 1e6;
}

/// <summary>
/// An OTLP/HTTP receiver in the test process (<c>POST /v1/traces</c>, protobuf), standing where the Aspire dashboard
/// stands, so tests can read the traces the real processes export.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedSpan> spans = new();
    private readonly ConcurrentQueue<string> errors = new();
    private int requests;

    private OtlpReceiver(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = null!;
    public IReadOnlyCollection<ReceivedSpan> Spans => spans;

    /// <summary>Starts the receiver on <paramref name="port"/> (0: any free port).</summary>
    public static async Task<OtlpReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default", "Warning"]);
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref receiver.requests);
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            try
            {
                foreach (var span in OtlpTraceReader.Read(body.ToArray()))
                {
                    receiver.spans.Enqueue(span);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                receiver.errors.Enqueue(ex.Message);
                return Results.BadRequest();
            }

            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/{signal}", () =>
        {
            Interlocked.Increment(ref receiver.requests);
            return Results.Bytes([], "application/x-protobuf");
        }); // logs and metrics are not read
        await app.StartAsync();
        receiver.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return receiver;
    }

    /// <summary>What arrived so far, for failure messages: service, span name and trace of each span.</summary>
    public string Describe() =>
        $"{Requests} export requests, unreadable: [{string.Join("; ", errors)}], spans: " + string.Join("; ", spans.Select(s => $"{s.Service} '{s.Name}' {s.TraceId[..8]}"));

    /// <summary>Export requests received for any signal.</summary>
    public int Requests => requests;

    /// <summary>The environment that points a process's OpenTelemetry exporter here under the given service name.</summary>
    public Dictionary<string, string> ExporterEnvironment(string service) => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Url.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_SERVICE_NAME"] = service,
    };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>
/// Reads the fields a test needs from an OTLP <c>ExportTraceServiceRequest</c> (opentelemetry-proto,
/// <c>opentelemetry/proto/trace/v1/trace.proto</c>) with a plain protobuf wire reader.
/// </summary>
internal static class OtlpTraceReader
{
    public static List<ReceivedSpan> Read(ReadOnlySpan<byte> request)
    {
        var result = new List<ReceivedSpan>();
        foreach (var resourceSpans in Fields(request, 1))
        {
            var service = "";
            foreach (var resource in Fields(resourceSpans, 1))
            {
                service = Attributes(resource, 1).GetValueOrDefault("service.name", "");
            }

            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    result.Add(new ReceivedSpan(
                        service,
                        Hex(Fields(span, 1).FirstOrDefault()),
                        Hex(Fields(span, 2).FirstOrDefault()),
                        Hex(Fields(span, 4).FirstOrDefault()),
                        Encoding.UTF8.GetString(Fields(span, 5).FirstOrDefault() ?? []),
                        Attributes(span, 9),
                        Fixed64(span, 7),
                        Fixed64(span, 8)));
                }
            }
        }

        return result;
    }

    private static Dictionary<string, string> Attributes(ReadOnlySpan<byte> message, int field)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyValue in Fields(message, field))
        {
            var key = Encoding.UTF8.GetString(Fields(keyValue, 1).FirstOrDefault() ?? []);
            var value = Fields(keyValue, 2).FirstOrDefault() is { } any ? Encoding.UTF8.GetString(Fields(any, 1).FirstOrDefault() ?? []) : "";
            attributes[key] = value;
        }

        return attributes;
    }

    private static string Hex(byte[]? bytes) => bytes is null ? "" : Convert.ToHexStringLower(bytes);

    // The length-delimited occurrences of one field number; other fields and wire types are skipped.
    private static List<byte[]> Fields(ReadOnlySpan<byte> message, int number)
    {
        var found = new List<byte[]>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    Varint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    if ((int)(tag >> 3) == number)
                    {
                        found.Add(message.Slice(position, length).ToArray());
                    }

                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"unexpected protobuf wire type {wireType}");
            }
        }

        return found;
    }

    // The first occurrence of a fixed64 field (a span's start and end time), or 0.
    private static ulong Fixed64(ReadOnlySpan<byte> message, int number)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            switch ((int)(tag & 7))
            {
                case 0:
                    Varint(message, ref position);
                    break;
                case 1:
                    if ((int)(tag >> 3) == number)
                    {
                        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(message.Slice(position, 8));
                    }

                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position); // read before adding: the read moves the position
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"unexpected protobuf wire type {tag & 7}");
            }
        }

        return 0;
    }

    private static ulong Varint(ReadOnlySpan<byte> message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
