using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SdAgones.Tests.Faults;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Sessions;

/// <summary>
/// Activity is bytes moving on a person's forwarded requests and sockets (issue 13 §2), with a short idle timeout:
/// real gateway and cruiser processes, embedded Garnet, LocalAgones with runtime processes.
/// </summary>
public sealed class ActivityTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan TouchInterval = TimeSpan.FromSeconds(1);

    private static async Task<(FaultWorld World, ServiceProcess Gateway)> StartAsync()
    {
        var world = await FaultWorld.StartAsync();
        (string, string)[] idle = [("Idle:Timeout", Timeout.ToString("c")), ("Idle:TouchInterval", TouchInterval.ToString("c"))];
        var gateway = await world.StartGatewayAsync(idle);
        await world.StartCruiserAsync(idle);
        return (world, gateway);
    }

    [Fact]
    public async Task A_queue_socket_streaming_a_message_every_two_seconds_keeps_its_runtime_for_three_timeouts()
    {
        var (world, gateway) = await StartAsync();
        await using var _ = world;
        using var client = FaultWorld.Client(gateway, "wendy");
        await world.TellOnFailureAsync("wendy", async () =>
        {
            var runtime = await RuntimeProbe.WaitForRuntimeAsync(client, "wendy's runtime");

            // Gradio 3.41's exchange, then a generator function yielding every 2 s (process_generating), with no generation
            // running: the runtime is not busy, so only the socket's data frames can keep it.
            using var queue = await QueueAsync(gateway.Url, "wendy");
            var beats = (int)Math.Ceiling((3 * Timeout + TimeSpan.FromSeconds(2)).TotalSeconds / 2);
            var running = Stopwatch.StartNew();
            var messages = await queue.RunFunctionAsync(GradioQueueClient.HeartbeatFnIndex, beats, 2);

            Assert.True(running.Elapsed >= 3 * Timeout, $"the heartbeat took only {running.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(beats, messages.Count(m => m.GetProperty("msg").GetString() == "process_generating"));
            Assert.True(messages[^1].GetProperty("success").GetBoolean(), messages[^1].GetRawText());
            Assert.Equal(runtime, Assert.Single(await world.AllocatedAsync(), s => s.AllocatedUser == "wendy").Name);
            Assert.Equal(runtime, await RuntimeProbe.RuntimeThatAnsweredAsync(await client.GetAsync("/sdapi/v1/cmd-flags")));
        });
    }

    [Fact]
    public async Task A_slow_upload_with_nothing_generating_completes_intact_and_the_runtime_stays()
    {
        const int size = 150_000;
        var (world, gateway) = await StartAsync();
        await using var _ = world;
        using var client = FaultWorld.Client(gateway, "ursula");
        client.Timeout = TimeSpan.FromMinutes(3);
        var runtime = await RuntimeProbe.WaitForRuntimeAsync(client, "ursula's runtime");

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var content = new StreamContent(new PacedStream(size, bytesPerSecond: 2_000, sha), 200);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = size;
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync("/upload?name=slow.bin", content);
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException("The slow upload failed; the gateway's log ends with:\n" + gateway.Output[^Math.Min(6000, gateway.Output.Length)..], ex);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(size, stored.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(sha.GetHashAndReset()), stored.GetProperty("sha256").GetString());
        Assert.Equal(runtime, Assert.Single(await world.AllocatedAsync(), s => s.AllocatedUser == "ursula").Name);
    }

    [Fact]
    public async Task An_open_socket_on_which_nothing_moves_is_reclaimed_one_timeout_after_its_last_byte_and_the_person_is_told()
    {
        var (world, gateway) = await StartAsync();
        await using var _ = world;
        using var client = FaultWorld.Client(gateway, "ivan");
        var runtime = await RuntimeProbe.WaitForRuntimeAsync(client, "ivan's runtime");

        // Gradio 3.41's exchange up to send_data; the runtime then waits (up to 60 s) for inputs that never come.
        using var queue = await QueueAsync(gateway.Url, "ivan");
        await queue.JoinAsync();
        var lastByte = Stopwatch.StartNew();

        await Eventually.HoldsAsync(async () => (await world.AllocatedAsync()).All(s => s.Name != runtime),
            4 * Timeout, "ivan's runtime to be reclaimed while his socket stays open and silent", TimeSpan.FromMilliseconds(100));
        var reclaimedAfter = lastByte.Elapsed;

        // Activity is recorded at most once per touch interval, so the last recorded moment may precede the last byte by that much.
        Assert.True(reclaimedAfter >= Timeout - TouchInterval, $"reclaimed {reclaimedAfter.TotalSeconds:0.0} s after the last byte");
        Assert.True(reclaimedAfter <= Timeout + TimeSpan.FromSeconds(4), $"reclaimed only {reclaimedAfter.TotalSeconds:0.0} s after the last byte");
        var session = await client.GetFromJsonAsync<JsonElement>("/_sd/api/session");
        Assert.Contains("without activity; your next request starts a new one.", session.GetProperty("notice").GetString(), StringComparison.Ordinal);

        // The administrator's export tells the same story, ending with the idle release.
        using var admin = FaultWorld.Client(gateway, "admin");
        var export = await admin.GetAsync("/_sd/api/admin/events?format=jsonl&since=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O")));
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var ivans = (await export.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("person").GetString() == "ivan")
            .Select(e => e.GetProperty("state").GetString() + (e.GetProperty("reason").GetString() is { } r ? ":" + r : ""))
            .ToList();
        Assert.Equal("queued", ivans[0]);
        Assert.Equal(["bound", "released:idle"], ivans[^2..]);
        var badSince = await admin.GetAsync("/_sd/api/admin/events?since=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badSince.StatusCode);
        Assert.Contains("since must be an ISO 8601 instant", await badSince.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/_sd/api/admin/events")).StatusCode);
    }

    /// <summary>A browser's <c>/queue/join</c> socket; pings are off, as in a browser tab, so nothing moves unless the protocol does.</summary>
    private static Task<GradioQueueClient> QueueAsync(Uri gateway, string user) =>
        GradioQueueClient.ConnectAsync(new UriBuilder(gateway) { Scheme = "ws", Path = "/queue/join" }.Uri, o =>
        {
            o.SetRequestHeader("X-SdAgones-Dev-User", user);
            o.KeepAliveInterval = TimeSpan.Zero;
        });

    /// <summary>A body produced at a fixed rate, hashed as it is sent.</summary>
    private sealed class PacedStream(long length, int bytesPerSecond, IncrementalHash hash) : Stream
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private long position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var due = TimeSpan.FromSeconds((double)position / bytesPerSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken); // the link's pace
            }

            var n = (int)Math.Min(Math.Min(buffer.Length, bytesPerSecond / 10), length - position);
            for (var i = 0; i < n; i++)
            {
                buffer.Span[i] = (byte)(((position + i) * 2654435761L) >> 13);
            }

            hash.AppendData(buffer.Span[..n]);
            position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
