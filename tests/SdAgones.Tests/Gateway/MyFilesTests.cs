using System.Net;
using System.Net.Http.Headers;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Faults;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>
/// "My files" (<c>/_sd/files</c>): each person lists, previews, downloads and deletes their own outputs and uploads
/// inputs, from their folder on the shared volume, without a GPU runtime; nobody reaches anybody else's files.
/// </summary>
public sealed class MyFilesTests
{
    [Fact]
    public async Task Alice_lists_previews_downloads_and_deletes_her_files_and_Bob_never_reaches_them()
    {
        await using var world = await FaultWorld.StartAsync(buffer: 1, max: 2);
        var storage = world.Agones.StorageRoot;
        var gateway = await world.StartGatewayAsync(("Storage:Root", storage));
        using var alice = FaultWorld.Client(gateway, "alice");
        using var bob = FaultWorld.Client(gateway, "bob");
        var aliceOutputs = Path.Combine(storage, "users", PersonLabel.For("alice"), "outputs");
        var bobOutputs = Path.Combine(storage, "users", PersonLabel.For("bob"), "outputs");
        byte[] alicePng = [137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3, 4];
        byte[] bobPng = [137, 80, 78, 71, 13, 10, 26, 10, 9, 9, 9, 9];
        const string aliceName = "txt2img-images/2026-11-30/00000-1.png";
        const string bobName = "txt2img-images/00007-7.png";
        Write(aliceOutputs, aliceName, alicePng);
        Write(aliceOutputs, "extras-images/keep.png", alicePng);
        Write(bobOutputs, bobName, bobPng);

        // Alice sees her files (positive control), and Bob sees only his.
        var aliceList = await PageAsync(alice, "/_sd/files");
        Assert.Contains(aliceName, aliceList, StringComparison.Ordinal);
        var bobList = await PageAsync(bob, "/_sd/files");
        Assert.Contains(bobName, bobList, StringComparison.Ordinal);
        Assert.DoesNotContain("00000-1.png", bobList, StringComparison.Ordinal);
        Assert.DoesNotContain("keep.png", bobList, StringComparison.Ordinal);

        // Preview (inline) and download (attachment) of her own file.
        using (var preview = await alice.GetAsync("/_sd/files/outputs/" + aliceName))
        {
            Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
            Assert.Equal("image/png", preview.Content.Headers.ContentType?.MediaType);
            Assert.Null(preview.Content.Headers.ContentDisposition);
            Assert.Equal(alicePng, await preview.Content.ReadAsByteArrayAsync());
        }

        using (var download = await alice.GetAsync("/_sd/files/outputs/" + aliceName + "?download=true"))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal(alicePng, await download.Content.ReadAsByteArrayAsync());
        }

        // Bob asks for Alice's names directly, and through traversal: 404, never her bytes.
        var aliceLabel = PersonLabel.For("alice");
        string[] bobTries =
        [
            "/_sd/files/outputs/" + aliceName,
            "/_sd/files/outputs/extras-images/keep.png",
            $"/_sd/files/outputs/..%2F..%2F{aliceLabel}%2Foutputs%2F{aliceName.Replace("/", "%2F", StringComparison.Ordinal)}",
            $"/_sd/files/outputs/%2e%2e/%2e%2e/{aliceLabel}/outputs/{aliceName}",
            $"/_sd/files/outputs/txt2img-images/..%5C..%5C..%5C{aliceLabel}%5Coutputs%5Cextras-images%5Ckeep.png",
            "/_sd/files/outputs/" + Uri.EscapeDataString(Path.Combine(aliceOutputs, aliceName)),
            "/_sd/files/outputs//" + Path.Combine(aliceOutputs, aliceName).TrimStart('/'),
            "/_sd/files/outputs/%2Fetc%2Fpasswd",
            "/_sd/files/inputs/..%2Foutputs%2F" + Uri.EscapeDataString(bobName),
            "/_sd/files/outputs/linked.png",
        ];
        File.CreateSymbolicLink(Path.Combine(bobOutputs, "linked.png"), Path.Combine(aliceOutputs, aliceName));
        using (var own = await bob.GetAsync("/_sd/files/outputs/" + bobName))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode); // positive control: Bob's own file
            Assert.Equal(bobPng, await own.Content.ReadAsByteArrayAsync());
        }

        foreach (var path in bobTries)
        {
            var (status, body) = await IsolationTestsRaw.GetAsync(gateway.Url.Port, "bob", path);
            Assert.True(status == 404, $"Bob's GET {path} answered {status}");
            Assert.DoesNotContain("\u0001\u0002\u0003\u0004", body, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("linked.png", await PageAsync(bob, "/_sd/files"), StringComparison.Ordinal);

        // Bob deletes Alice's name: 404, her file stays. Alice deletes it: gone (positive control).
        using (var bobDelete = await bob.PostAsync("/_sd/files/delete", Form(("path", aliceName))))
        {
            Assert.Equal(HttpStatusCode.NotFound, bobDelete.StatusCode);
        }

        Assert.True(File.Exists(Path.Combine(aliceOutputs, aliceName)));
        using (var aliceDelete = await alice.PostAsync("/_sd/files/delete", Form(("path", aliceName))))
        {
            Assert.Equal(HttpStatusCode.SeeOther, aliceDelete.StatusCode);
            Assert.Equal("/_sd/files?done=deleted", aliceDelete.Headers.Location?.OriginalString);
        }

        Assert.False(File.Exists(Path.Combine(aliceOutputs, aliceName)));
        Assert.True(File.Exists(Path.Combine(bobOutputs, bobName)));

        // None of this needed a GPU runtime.
        Assert.DoesNotContain(await world.Agones.ListAsync(), server => server.State == GameServerState.Allocated);
    }

    [Fact]
    public async Task Uploads_land_in_the_persons_inputs_and_cross_site_actions_are_refused()
    {
        await using var world = await FaultWorld.StartAsync(buffer: 1, max: 2);
        var storage = world.Agones.StorageRoot;
        var gateway = await world.StartGatewayAsync(("Storage:Root", storage));
        using var alice = FaultWorld.Client(gateway, "alice");
        var aliceFolder = Path.Combine(storage, "users", PersonLabel.For("alice"));
        Write(Path.Combine(aliceFolder, "outputs"), "keep.png", [1, 2, 3]);

        using (var upload = await alice.PostAsync("/_sd/files/upload", Upload("photo.png", [7, 7, 7])))
        {
            Assert.Equal(HttpStatusCode.SeeOther, upload.StatusCode);
        }

        Assert.Equal([7, 7, 7], await File.ReadAllBytesAsync(Path.Combine(aliceFolder, "inputs", "photo.png")));
        Assert.Contains("photo.png", await PageAsync(alice, "/_sd/files"), StringComparison.Ordinal);

        using (var traversal = await alice.PostAsync("/_sd/files/upload", Upload("../../escape.png", [6])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        }

        Assert.False(File.Exists(Path.Combine(storage, "users", "escape.png")));
        Assert.False(File.Exists(Path.Combine(storage, "escape.png")));

        // Same-origin delete works (positive control below); a foreign Origin or Sec-Fetch-Site is refused.
        foreach (var (header, value) in new[] { ("Origin", "https://evil.example"), ("Origin", "null"), ("Sec-Fetch-Site", "cross-site") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/_sd/files/delete") { Content = Form(("path", "keep.png")) };
            request.Headers.Add(header, value);
            using var response = await alice.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{header}: {value} answered {(int)response.StatusCode}");
            Assert.True(File.Exists(Path.Combine(aliceFolder, "outputs", "keep.png")));
        }

        using (var sameSite = new HttpRequestMessage(HttpMethod.Post, "/_sd/files/delete") { Content = Form(("path", "keep.png")) })
        {
            sameSite.Headers.Add("Origin", gateway.Url.GetLeftPart(UriPartial.Authority));
            sameSite.Headers.Add("Sec-Fetch-Site", "same-origin");
            using var response = await alice.SendAsync(sameSite);
            Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        }

        Assert.False(File.Exists(Path.Combine(aliceFolder, "outputs", "keep.png")));
    }

    private static void Write(string folder, string relative, byte[] bytes)
    {
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    private static async Task<string> PageAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(field => KeyValuePair.Create(field.Key, field.Value)));

    private static MultipartFormDataContent Upload(string name, byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "file", name } };
    }
}

/// <summary>A GET sent byte for byte, so ".." and encoded slashes reach the gateway as written.</summary>
internal static class IsolationTestsRaw
{
    public static async Task<(int Status, string Body)> GetAsync(int port, string user, string path)
    {
        var response = await IsolationTests.SendRawAsync(port, $"GET {path} HTTP/1.1\r\nHost: localhost\r\nX-SdAgones-Dev-User: {user}\r\nConnection: close\r\n\r\n");
        var bodyAt = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(response.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && bodyAt > 0, $"GET {path}: no complete response");
        return (int.Parse(response.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), response[(bodyAt + 4)..]);
    }
}
