using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Faults;

/// <summary>
/// Person A can never reach person B's files or runtime, whatever A does through her own runtime: its settings and
/// API are hers to change, so isolation must hold by what the runtime has (its workspace and the models), not by its
/// settings. Every refusal sits beside the same kind of request succeeding for its owner.
/// </summary>
[Trait("Category", "Faults")]
public sealed class IsolationTests
{
    /// <summary>All nine output-folder settings of A1111 (modules/shared_options.py).</summary>
    public static readonly string[] OutdirSettings =
    [
        "outdir_samples", "outdir_txt2img_samples", "outdir_img2img_samples", "outdir_extras_samples", "outdir_grids",
        "outdir_txt2img_grids", "outdir_img2img_grids", "outdir_save", "outdir_init_images",
    ];

    [Fact]
    public async Task Alice_cannot_read_or_write_Bobs_files_through_her_runtimes_settings_and_file_route()
    {
        await using var world = await FaultWorld.StartAsync();
        var gateway = await world.StartGatewayAsync();
        using var alice = FaultWorld.Client(gateway, "alice");
        using var bob = FaultWorld.Client(gateway, "bob");
        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");
        await RuntimeProbe.WaitForRuntimeAsync(bob, "bob's runtime");
        var storage = Path.GetFullPath(world.Agones.StorageRoot);
        var aliceOutputs = Path.Combine(storage, "users", PersonLabel.For("alice"), "outputs");
        var bobOutputs = Path.Combine(storage, "users", PersonLabel.For("bob"), "outputs");
        var aliceData = await DataDirAsync(alice);

        // Bob has a picture in his folder (his prompt is inside it).
        var (bobSaved, bobPng) = await GenerateAsync(bob, "bob's private picture", seed: 2);
        var bobFile = await DeliveredAsync(bobOutputs, await DataDirAsync(bob), bobSaved, bobPng);
        var bobBefore = Snapshot(bobOutputs);

        // Positive control: Alice reads her own image through /file= with the path her generation reported.
        var (aliceSaved, alicePng) = await GenerateAsync(alice, "alice's picture", seed: 1);
        Assert.StartsWith(aliceData + Path.DirectorySeparatorChar, aliceSaved, StringComparison.Ordinal);
        var own = await ReadFileAsync(gateway.Url.Port, "alice", "/file=" + aliceSaved);
        Assert.Equal(200, own.Status);
        Assert.Equal(alicePng, own.Body);

        var aliceImages = new List<(string Saved, byte[] Png)> { (aliceSaved, alicePng) };

        // Every output folder setting pointed at Bob's folder, the storage root and /etc; then a generation.
        string[] targets = [bobOutputs, Path.Combine(bobOutputs, "txt2img-images"), storage, "/etc"];
        var seed = 100;
        foreach (var setting in OutdirSettings)
        {
            foreach (var target in targets)
            {
                var before = (await alice.GetFromJsonAsync<JsonElement>("/sdapi/v1/options")).GetProperty(setting).GetString();
                using var set = await alice.PostAsJsonAsync("/sdapi/v1/options", new Dictionary<string, string> { [setting] = target });
                var after = (await alice.GetFromJsonAsync<JsonElement>("/sdapi/v1/options")).GetProperty(setting).GetString();
                var why = $"{setting} = {target}: {(int)set.StatusCode} {await set.Content.ReadAsStringAsync()}";

                // Accepted outcomes: 200 with the setting left as it was (A1111 with --hide-ui-dir-config ignores it), or 400.
                Assert.True(set.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, why);
                Assert.Equal(before, after);

                var (saved, png) = await GenerateAsync(alice, "alice again", seed++);
                Assert.True(saved.StartsWith(aliceData + Path.DirectorySeparatorChar, StringComparison.Ordinal), $"after {why} the image was saved at {saved}");
                aliceImages.Add((saved, png));
            }
        }

        // /file= reads of Bob's file and of the host: absolute, relative to Alice's data folder, encoded, through "..".
        // Sent raw: an HTTP client would resolve the ".." itself. Bob reads his own file the same way (positive control).
        var bobsOwn = await ReadFileAsync(gateway.Url.Port, "bob", "/file=" + bobSaved);
        Assert.Equal(200, bobsOwn.Status);
        Assert.Equal(bobPng, bobsOwn.Body);
        var relative = Path.GetRelativePath(aliceData, bobFile);
        string[] reads =
        [
            "/file=" + bobFile,
            "/file=" + bobSaved,
            "/file=" + relative,
            "/file=" + bobFile.Replace("/", "%2F", StringComparison.Ordinal),
            "/file=" + relative.Replace("/", "%2F", StringComparison.Ordinal),
            "/file=" + aliceData + "/../../../.." + bobFile,
            "/file=" + Path.Combine(storage, "users"),
            "/file=" + storage,
            "/file=/etc/passwd",
            "/file=../../../../../../../../etc/passwd",
        ];
        foreach (var path in reads)
        {
            var (status, body) = await ReadFileAsync(gateway.Url.Port, "alice", path);
            Assert.True(status is 403 or 404, $"GET {path} answered {status}");
            Assert.False(body.AsSpan().IndexOf(bobPng.AsSpan(0, 64)) >= 0, $"GET {path} returned Bob's picture");
            Assert.DoesNotContain("root:", Encoding.Latin1.GetString(body), StringComparison.Ordinal);
        }

        // Bob's folder is unread-into and unchanged; every picture of Alice's lands in her own folder.
        foreach (var (saved, png) in aliceImages)
        {
            await DeliveredAsync(aliceOutputs, aliceData, saved, png);
        }

        Assert.Equal(bobBefore, Snapshot(bobOutputs));
        Assert.Equal(["models", "users"], Names(storage));
        Assert.Equal(new[] { PersonLabel.For("alice"), PersonLabel.For("bob") }.Order(StringComparer.Ordinal), Names(Path.Combine(storage, "users")));
    }

    [Fact]
    public async Task The_runtime_receives_no_identity_headers_or_cookies_of_the_gateway_or_IAP()
    {
        await using var world = await FaultWorld.StartAsync(buffer: 1, max: 2);
        var gateway = await world.StartGatewayAsync();
        using var alice = FaultWorld.Client(gateway, "alice");
        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/_standin/headers");
        request.Headers.Add("X-Echo-Control", "reaches-the-runtime");
        request.Headers.Add("X-Goog-Iap-Jwt-Assertion", "forged.token.value");
        request.Headers.Add("X-Goog-Authenticated-User-Email", "accounts.google.com:bob@example.com");
        request.Headers.Add("X-SdAgones-Anything", "1");
        request.Headers.Add("Cookie", "sd_dev_user=signed; GCP_IAP_UID=1234; __Host-GCP_IAP_AUTH_TOKEN_abc=secret; gradio_pref=dark");
        using var response = await alice.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var received = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        Assert.NotNull(received);
        Assert.Equal("reaches-the-runtime", received["x-echo-control"]); // positive control: the echo sees what is passed on
        Assert.DoesNotContain(received.Keys, name => name.StartsWith("x-goog-", StringComparison.Ordinal));
        Assert.DoesNotContain(received.Keys, name => name.StartsWith("x-sdagones-", StringComparison.Ordinal));
        var cookies = received.GetValueOrDefault("cookie") ?? "";
        Assert.DoesNotContain("sd_dev_user", cookies, StringComparison.Ordinal);
        Assert.DoesNotContain("GCP_IAP", cookies, StringComparison.Ordinal);
        Assert.Equal("gradio_pref=dark", cookies); // the runtime's own cookie still reaches it
    }

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

        // Each trick: the exact status allowed; a 200 must come from Bob's own runtime.
        (string Request, int Status)[] tricks =
        [
            ($"GET http://127.0.0.1:{alicesPort}/sdapi/v1/cmd-flags HTTP/1.1\r\nHost: 127.0.0.1:{alicesPort}\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n", 200),
            ($"GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: 127.0.0.1:{alicesPort}\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n", 200),
            ($"GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Host: 127.0.0.1:{alicesPort}\r\nX-Forwarded-For: 127.0.0.1\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n", 200),
            ($"GET //127.0.0.1:{alicesPort}/sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n", 404),
            ("GET /%2e%2e/%2e%2e/sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n", 200),
            ("GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nX-SdAgones-Dev-User: alice\r\nConnection: close\r\n\r\n", 401),
            ("GET /sdapi/v1/cmd-flags HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nx-goog-authenticated-user-email: accounts.google.com:alice\r\nConnection: close\r\n\r\n", 200),
            ("GET /_sd/api/admin/sessions HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nConnection: close\r\n\r\n", 403),
            ("POST /_sd/api/admin/sessions/alice/release HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: bob\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 403),
        ];

        foreach (var (request, status) in tricks)
        {
            var response = await SendRawAsync(gateway.Url.Port, request);
            var firstLine = request[..request.IndexOf('\r', StringComparison.Ordinal)];
            var statusLine = response.Length > 12 ? response[..12] : response;
            Assert.True(statusLine == $"HTTP/1.1 {status}", $"{firstLine}: expected {status}, got {response[..Math.Min(200, response.Length)]}");
            if (status == 200)
            {
                Assert.DoesNotContain(alicesRuntime, response, StringComparison.Ordinal);
                Assert.Contains(bobsRuntime, response, StringComparison.Ordinal);
            }
        }

        Assert.Equal(alicesRuntime, await RuntimeProbe.RuntimeThatAnsweredAsync(await alice.GetAsync("/sdapi/v1/cmd-flags")));
    }

    private static async Task<string> DataDirAsync(HttpClient person) =>
        (await person.GetFromJsonAsync<JsonElement>("/sdapi/v1/cmd-flags")).GetProperty("data_dir").GetString()!;

    private static async Task<(string Saved, byte[] Png)> GenerateAsync(HttpClient person, string prompt, int seed)
    {
        using var response = await person.PostAsJsonAsync("/sdapi/v1/txt2img", new { prompt, seed, steps = 1, width = 64, height = 64 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var info = JsonDocument.Parse(body.GetProperty("info").GetString()!).RootElement;
        return (info.GetProperty("saved_paths")[0].GetString()!, Convert.FromBase64String(body.GetProperty("images")[0].GetString()!));
    }

    /// <summary>Waits until the agent has moved <paramref name="saved"/> (in the workspace) to the person's outputs, with the same bytes.</summary>
    private static Task<string> DeliveredAsync(string personOutputs, string dataDir, string saved, byte[] png)
    {
        var relative = Path.GetRelativePath(Path.Combine(dataDir, "outputs"), saved);
        var delivered = Path.Combine(personOutputs, relative);
        return Eventually.ReturnsAsync(
            async () => File.Exists(delivered) && (await File.ReadAllBytesAsync(delivered)).AsSpan().SequenceEqual(png) ? delivered : null,
            TimeSpan.FromSeconds(30), $"{relative} to be moved to {personOutputs}");
    }

    private static string[] Names(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder).Select(entry => Path.GetFileName(entry)).Order(StringComparer.Ordinal)];

    private static string[] Snapshot(string folder) =>
        [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(file => $"{Path.GetRelativePath(folder, file)} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)))}")];

    /// <summary>GET <paramref name="path"/> as <paramref name="user"/>, sent byte for byte; the status and the body.</summary>
    private static async Task<(int Status, byte[] Body)> ReadFileAsync(int port, string user, string path)
    {
        var response = await SendRawAsync(port, $"GET {path} HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 ", response, StringComparison.Ordinal);
        var bodyAt = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(bodyAt > 0, $"GET {path}: no complete response: {response[..Math.Min(200, response.Length)]}");
        return (int.Parse(response.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), Encoding.Latin1.GetBytes(response[(bodyAt + 4)..]));
    }

    public static async Task<string> SendRawAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await reader.ReadToEndAsync(cts.Token);
    }
}
