using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Platform;

/// <summary>The platform as a person and an operator meet it, through the gateway the AppHost starts.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PlatformTests(PlatformFixture platform) : IAsyncLifetime
{
    public Task InitializeAsync() => platform.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> OptionsRuntimeAsync(string user)
    {
        using var client = platform.Client(user);
        return await RuntimeProbe.RuntimeThatAnsweredAsync(await client.GetAsync("/sdapi/v1/cmd-flags"));
    }

    [Fact]
    public async Task Every_resource_is_running_and_healthy_and_the_gateway_answers_the_load_balancer_check()
    {
        // Every service the AppHost runs, each replica on its own: running, and healthy by its own health checks.
        var model = platform.App.Services.GetRequiredService<DistributedApplicationModel>();
        var services = model.Resources.OfType<ProjectResource>().Select(r => r.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["cruiser", "garnet", "gateway", "localagones"], services);
        var instances = new Dictionary<string, ResourceEvent>(StringComparer.Ordinal);
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try
            {
                // The watch replays each instance's current state first.
                await foreach (var update in platform.App.ResourceNotifications.WatchAsync(cts.Token))
                {
                    if (update.Resource is ProjectResource)
                    {
                        instances[update.ResourceId] = update;
                    }

                    if (instances.Values.Select(e => e.Resource.Name).Distinct().Count() == services.Count
                        && instances.Values.Count(e => e.Resource.Name == "gateway") == 2)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail("the orchestrator reported only " + string.Join(", ", instances.Keys));
            }
        }

        foreach (var (instance, state) in instances)
        {
            Assert.Equal((instance, KnownResourceStates.Running), (instance, state.Snapshot.State?.Text));
            Assert.Equal((instance, (HealthStatus?)HealthStatus.Healthy), (instance, state.Snapshot.HealthStatus));
        }

        using var anonymous = platform.Client(user: null);
        var healthz = await anonymous.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);

        // The positive control beside the 401: the same request from a signed-in person reaches a runtime.
        var unauthenticated = await anonymous.GetAsync("/sdapi/v1/cmd-flags");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Contains("sign in", await unauthenticated.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        using var signedIn = platform.Client("henry");
        await RuntimeProbe.WaitForRuntimeAsync(signedIn, "henry's runtime");
    }

    [Fact]
    public async Task Two_people_get_two_runtimes_and_each_keeps_their_own()
    {
        var alice = await OptionsRuntimeAsync("alice");
        var bob = await OptionsRuntimeAsync("bob");

        Assert.NotEqual(alice, bob);
        Assert.Equal(alice, await OptionsRuntimeAsync("alice"));
        Assert.Equal(bob, await OptionsRuntimeAsync("bob"));

        using var client = platform.Client("alice");
        var session = await client.GetFromJsonAsync<JsonElement>("/_sd/api/session");
        Assert.Equal(alice, session.GetProperty("runtime").GetString());
        Assert.Equal("ready", session.GetProperty("state").GetString());
        Assert.True(session.GetProperty("reclaimAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Fifty_simultaneous_first_requests_from_one_person_allocate_exactly_one_runtime()
    {
        using var client = platform.Client("carol");
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/sdapi/v1/cmd-flags");
            request.Headers.ConnectionClose = true; // a new connection each, as fifty browser tabs would open
            return await client.SendAsync(request);
        })));

        var served = new HashSet<string>();
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.OK))
        {
            served.Add(await RuntimeProbe.RuntimeThatAnsweredAsync(response));
        }

        // Each answer is the runtime or the waiting room while it is allocated, nothing else.
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("waiting", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }

        Assert.True(served.Count == 1, $"served by {served.Count} runtimes: {string.Join(", ", served)}");
        Assert.Single(await platform.Agones.AllocatedToAsync("carol"));
    }

    [Fact]
    public async Task A_WebSocket_and_an_SSE_stream_pass_through_intact()
    {
        var wsUri = new UriBuilder(platform.GatewayUrl) { Scheme = "ws", Path = "/queue/join" }.Uri;
        await Eventually.HoldsAsync(async () =>
        {
            using var probe = platform.Client("dave");
            return (await probe.GetAsync("/sdapi/v1/cmd-flags")).StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(60), "dave's runtime");
        using var queue = await GradioQueueClient.ConnectAsync(wsUri, o => o.SetRequestHeader("X-SdAgones-Dev-User", "dave"));

        // Gradio 3.41's exchange, end to end through the gateway; the prompt is large enough to span many frames.
        var prompt = "a fox through the gateway " + new string('x', 9_000);
        var messages = await queue.RunAsync(prompt, null, 3, 4, null, null);
        Assert.Equal(4, messages.Count(m => m.GetProperty("msg").GetString() == "process_generating"));
        Assert.True(messages[^1].GetProperty("success").GetBoolean(), messages[^1].GetRawText());
        Assert.StartsWith(prompt + "\nSteps: 4,", messages[^1].GetProperty("output").GetProperty("data")[1].GetString(), StringComparison.Ordinal);
        Assert.NotEmpty(GradioQueueClient.ImageOf(messages[^1]));
        Assert.Null(await queue.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, queue.Socket.CloseStatus);

        using var client = platform.Client("dave");
        using var response = await client.GetAsync("/_standin/events?prompt=a%20fox&seed=3&steps=5", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add(line[6..]);
            }
        }

        Assert.Equal(5, events.Count(e => e.Contains("\"progress\"", StringComparison.Ordinal)));
        Assert.Contains("process_completed", events[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_every_runtime_taken_a_person_waits_in_line_and_gets_the_next_free_one()
    {
        var holders = new List<string>();
        for (var i = 0; i < PlatformFixture.FleetMax; i++)
        {
            var user = $"holder-{i}";
            await Eventually.HoldsAsync(async () =>
            {
                using var client = platform.Client(user);
                return (await client.GetAsync("/sdapi/v1/cmd-flags")).StatusCode == HttpStatusCode.OK;
            }, TimeSpan.FromSeconds(90), $"{user} to get a runtime");
            holders.Add(user);
        }

        using var waiter = platform.Client("erin");
        var waiting = await waiter.GetAsync("/sdapi/v1/cmd-flags");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, waiting.StatusCode);
        Assert.NotNull(waiting.Headers.RetryAfter);
        var body = await waiting.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("queuePosition").GetInt64());
        var me = await waiter.GetFromJsonAsync<JsonElement>("/_sd/api/session");
        Assert.Equal(1, me.GetProperty("queuePosition").GetInt64());
        Assert.Equal("You are number 1 in the queue; the waiting page moves on to your WebUI by itself once a runtime is free.", me.GetProperty("next").GetString());

        using var browser = platform.Client("erin", html: true);
        var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Your place in the queue", html, StringComparison.Ordinal);
        Assert.Contains("id=\"position\">1<", html, StringComparison.Ordinal);

        using var first = platform.Client(holders[0]);
        var released = await first.PostAsync("/_sd/api/session/release", null);
        Assert.True((await released.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("released").GetBoolean());

        var runtime = await Eventually.ReturnsAsync(async () =>
        {
            var response = await waiter.GetAsync("/sdapi/v1/cmd-flags");
            return response.StatusCode == HttpStatusCode.OK ? await RuntimeProbe.RuntimeThatAnsweredAsync(response) : null;
        }, TimeSpan.FromSeconds(90), "erin to reach a WebUI once a runtime frees", TimeSpan.FromMilliseconds(500));
        Assert.Single(await platform.Agones.AllocatedToAsync("erin"));
        Assert.DoesNotContain(runtime, await Task.WhenAll(holders.Skip(1).Select(OptionsRuntimeAsync)));
    }

    [Fact, Trait("Category", "Faults")]
    public async Task When_a_runtime_dies_the_person_gets_a_fresh_one_and_is_told_why()
    {
        var before = await OptionsRuntimeAsync("frank");
        var server = (await platform.Agones.AllocatedToAsync("frank")).Single();
        KillProcessListeningOn(RuntimeAddress.WebUI(server)!);

        var after = await Eventually.ReturnsAsync(async () =>
        {
            using var client = platform.Client("frank");
            var response = await client.GetAsync("/sdapi/v1/cmd-flags");
            return response.StatusCode == HttpStatusCode.OK ? await RuntimeProbe.RuntimeThatAnsweredAsync(response) : null;
        }, TimeSpan.FromSeconds(90), "frank to get a fresh runtime", TimeSpan.FromMilliseconds(500));

        Assert.NotEqual(before, after);
        using var me = platform.Client("frank");
        var session = await me.GetFromJsonAsync<JsonElement>("/_sd/api/session");
        Assert.Equal(after, session.GetProperty("runtime").GetString());
        Assert.Contains("stopped unexpectedly", session.GetProperty("notice").GetString(), StringComparison.Ordinal);
        Assert.Single(await platform.Agones.AllocatedToAsync("frank"));
    }

    [Fact]
    public async Task A_one_gibibyte_upload_streams_through_the_gateway_intact()
    {
        const long size = 1L << 30;
        using var client = platform.Client("gina");
        client.Timeout = TimeSpan.FromMinutes(5);
        await RuntimeProbe.WaitForRuntimeAsync(client, "gina's runtime");
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var content = new StreamContent(new GeneratedStream(size, sha));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");

        var response = await client.PostAsync("/upload?name=big.bin", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(size, stored.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(sha.GetHashAndReset()), stored.GetProperty("sha256").GetString());
        File.Delete(stored.GetProperty("path").GetString()!);
    }

    /// <summary>A large, non-repeating body produced on the fly (nothing held in memory), hashed as it is read.</summary>
    private sealed class GeneratedStream(long length, System.Security.Cryptography.IncrementalHash hash) : Stream
    {
        private long position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - position);
            for (var i = 0; i < n; i++)
            {
                var at = position + i;
                buffer[offset + i] = (byte)((at * 2654435761L) >> 13);
            }

            hash.AppendData(buffer, offset, n);
            position += n;
            return n;
        }

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

    /// <summary>Kills the WebUI process of a runtime, as a lost spot node would.</summary>
    private static void KillProcessListeningOn(Uri webUI)
    {
        var marker = $"http://{webUI.Host}:{webUI.Port}"; // the runtime's pod address, as LocalAgones starts its WebUI
        foreach (var process in System.Diagnostics.Process.GetProcesses())
        {
            try
            {
                var cmdline = File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
                if (cmdline.Contains("SdAgones.WebUI", StringComparison.Ordinal) && cmdline.Contains(marker, StringComparison.Ordinal))
                {
                    process.Kill(entireProcessTree: true);
                    return;
                }
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
            finally
            {
                process.Dispose();
            }
        }

        Assert.Fail($"no WebUI process listens on {marker}");
    }
}
