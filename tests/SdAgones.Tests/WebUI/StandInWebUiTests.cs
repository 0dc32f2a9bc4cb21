using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using SdAgones.Tests.Infrastructure;
using SdAgones.WebUI;

namespace SdAgones.Tests.WebUI;

/// <summary>
/// The stand-in WebUI, started in-process on a free port with its own data folder, seen through real
/// HTTP, WebSocket and SSE clients the way a browser or the gateway sees it.
/// </summary>
public sealed class StandInWebUiTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Txt2img_returns_a_real_png_and_saves_it_in_the_txt2img_folder()
    {
        await using var webUi = await RunningWebUi.StartAsync();

        var answer = await webUi.Txt2ImgAsync(new { prompt = "a red fox in snow", seed = 42, steps = 3, width = 320, height = 192 });

        var png = Convert.FromBase64String(Assert.Single(answer.GetProperty("images").EnumerateArray()).GetString()!);
        var decoded = DecodedPng.Read(png);
        Assert.Equal(320, decoded.Width);
        Assert.Equal(192, decoded.Height);
        Assert.Equal(192 * (1 + (320 * decoded.BytesPerPixel)), decoded.Scanlines.Length);

        var info = ParseInfo(answer);
        Assert.Equal(42, info.GetProperty("seed").GetInt64());
        Assert.Equal(3, answer.GetProperty("parameters").GetProperty("steps").GetInt32());
        var saved = Assert.Single(info.GetProperty("saved_paths").EnumerateArray()).GetString()!;
        var folder = (await webUi.GetJsonAsync("sdapi/v1/options")).GetProperty("outdir_txt2img_samples").GetString()!;
        Assert.Equal(Path.GetFullPath(folder), Path.GetDirectoryName(saved));
        Assert.Matches(@"^\d{5}-42\.png$", Path.GetFileName(saved));
        Assert.Equal(png, await File.ReadAllBytesAsync(saved));
    }

    [Fact]
    public async Task Same_prompt_and_seed_draw_the_same_image()
    {
        await using var webUi = await RunningWebUi.StartAsync();

        var first = await webUi.Txt2ImgPngAsync("a lighthouse at dusk", seed: 7);
        var again = await webUi.Txt2ImgPngAsync("a lighthouse at dusk", seed: 7);

        Assert.Equal(first, again);
    }

    [Fact]
    public async Task Another_seed_or_prompt_draws_a_different_picture()
    {
        await using var webUi = await RunningWebUi.StartAsync();

        var pixels = DecodedPng.Read(await webUi.Txt2ImgPngAsync("a lighthouse at dusk", seed: 7)).Scanlines;
        var otherSeed = DecodedPng.Read(await webUi.Txt2ImgPngAsync("a lighthouse at dusk", seed: 8)).Scanlines;
        var otherPrompt = DecodedPng.Read(await webUi.Txt2ImgPngAsync("a lighthouse at dawn", seed: 7)).Scanlines;

        Assert.NotEqual(pixels, otherSeed);
        Assert.NotEqual(pixels, otherPrompt);
    }

    [Fact]
    public async Task Batch_saves_one_numbered_file_per_image_with_consecutive_seeds()
    {
        await using var webUi = await RunningWebUi.StartAsync();

        var answer = await webUi.Txt2ImgAsync(new { prompt = "three kites", seed = 100, steps = 2, batch_size = 3 });

        Assert.Equal(3, answer.GetProperty("images").GetArrayLength());
        var names = ParseInfo(answer).GetProperty("saved_paths").EnumerateArray().Select(path => Path.GetFileName(path.GetString()!)).ToArray();
        Assert.Equal(new[] { "00000-100.png", "00001-101.png", "00002-102.png" }, names);
    }

    [Fact]
    public async Task Progress_shows_the_running_job_and_returns_to_idle_when_it_ends()
    {
        await using var webUi = await RunningWebUi.StartAsync(stepDelay: TimeSpan.FromMilliseconds(10));

        var generation = webUi.Client.PostAsJsonAsync("sdapi/v1/txt2img", new { prompt = "a slow sunrise", seed = 1, steps = 150 });
        var running = await WaitForAsync(
            async () =>
            {
                var progress = await webUi.GetJsonAsync("sdapi/v1/progress");
                return progress.GetProperty("state").GetProperty("sampling_step").GetInt32() > 0 ? progress : (JsonElement?)null;
            },
            "progress to report a running step");

        var state = running.GetProperty("state");
        Assert.Equal("txt2img", state.GetProperty("job").GetString());
        Assert.Equal(1, state.GetProperty("job_count").GetInt32());
        Assert.Equal(150, state.GetProperty("sampling_steps").GetInt32());
        Assert.Matches(@"^\d{14}$", state.GetProperty("job_timestamp").GetString());
        Assert.InRange(running.GetProperty("progress").GetDouble(), 0.0, 1.0);
        Assert.True(running.GetProperty("eta_relative").GetDouble() > 0);

        (await generation).EnsureSuccessStatusCode();
        var idle = await webUi.GetJsonAsync("sdapi/v1/progress");
        Assert.Equal(0.0, idle.GetProperty("progress").GetDouble());
        Assert.Equal("", idle.GetProperty("state").GetProperty("job").GetString());
        Assert.Equal(0, idle.GetProperty("state").GetProperty("job_count").GetInt32());
        Assert.Equal(JsonValueKind.Null, idle.GetProperty("current_image").ValueKind);
    }

    [Fact]
    public async Task Options_list_every_output_folder_under_the_data_root()
    {
        await using var webUi = await RunningWebUi.StartAsync();

        using var response = await webUi.Client.GetAsync(new Uri("sdapi/v1/options", UriKind.Relative));
        var raw = await response.Content.ReadAsStringAsync();
        var options = JsonSerializer.Deserialize<JsonElement>(raw);

        Assert.True(raw.Length > 1500, $"A1111 answers about 2 KB of options; got {raw.Length} bytes.");
        string[] outdirs =
        [
            "outdir_samples", "outdir_txt2img_samples", "outdir_img2img_samples", "outdir_extras_samples", "outdir_grids",
            "outdir_txt2img_grids", "outdir_img2img_grids", "outdir_save", "outdir_init_images",
        ];
        Assert.All(outdirs, key => Assert.Equal(JsonValueKind.String, options.GetProperty(key).ValueKind));
        Assert.StartsWith(webUi.DataRoot + Path.DirectorySeparatorChar, options.GetProperty("outdir_txt2img_samples").GetString(), StringComparison.Ordinal);
        Assert.Equal("png", options.GetProperty("samples_format").GetString());
        Assert.False(string.IsNullOrEmpty(options.GetProperty("sd_model_checkpoint").GetString()));
        Assert.Equal(1, options.GetProperty("CLIP_stop_at_last_layers").GetInt32());
    }

    [Fact]
    public async Task Changing_outdir_txt2img_samples_inside_the_data_folder_moves_where_the_next_image_lands()
    {
        await using var webUi = await RunningWebUi.StartAsync();
        var elsewhere = Path.Combine(webUi.DataRoot, "outputs", "mine");

        using var set = await webUi.Client.PostAsJsonAsync("sdapi/v1/options", new Dictionary<string, object>
        {
            ["outdir_txt2img_samples"] = elsewhere,
            ["some_extension_setting"] = 3,
        });

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("null", await set.Content.ReadAsStringAsync());
        var options = await webUi.GetJsonAsync("sdapi/v1/options");
        Assert.Equal(elsewhere, options.GetProperty("outdir_txt2img_samples").GetString());
        Assert.Equal(3, options.GetProperty("some_extension_setting").GetInt32());
        Assert.Equal("png", options.GetProperty("samples_format").GetString());

        var saved = Assert.Single(ParseInfo(await webUi.Txt2ImgAsync(new { prompt = "moved", seed = 5, steps = 1 })).GetProperty("saved_paths").EnumerateArray()).GetString()!;
        Assert.Equal(Path.Combine(elsewhere, "00000-5.png"), saved);
        Assert.True(File.Exists(saved));
    }

    [Fact]
    public async Task An_output_folder_outside_the_data_folder_is_refused_with_a_message_and_nothing_is_written_there()
    {
        await using var webUi = await RunningWebUi.StartAsync();
        var outside = Path.Combine(webUi.TempRoot, "per-user", "bob");

        using var set = await webUi.Client.PostAsJsonAsync("sdapi/v1/options", new Dictionary<string, string> { ["outdir_txt2img_samples"] = outside });

        Assert.Equal(HttpStatusCode.BadRequest, set.StatusCode);
        Assert.Contains("not in this runtime's filesystem", (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        var saved = Assert.Single(ParseInfo(await webUi.Txt2ImgAsync(new { prompt = "stays", seed = 6, steps = 1 })).GetProperty("saved_paths").EnumerateArray()).GetString()!;
        Assert.StartsWith(webUi.DataRoot + Path.DirectorySeparatorChar, saved, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outside));
    }

    [Fact]
    public async Task Options_body_that_is_not_an_object_is_refused_with_a_message()
    {
        await using var webUi = await RunningWebUi.StartAsync();

        foreach (var body in new[] { "[1,2]", "\"png\"", "not json" })
        {
            using var response = await webUi.Client.PostAsync(new Uri("sdapi/v1/options", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("JSON object", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("png", (await webUi.GetJsonAsync("sdapi/v1/options")).GetProperty("samples_format").GetString());
    }

    [Fact]
    public async Task Bad_txt2img_input_gets_400_with_a_message_naming_the_problem()
    {
        await using var webUi = await RunningWebUi.StartAsync();

        (string Body, string Mentions)[] cases =
        [
            ("""{"prompt":"x","steps":500}""", "steps"),
            ("""{"prompt":"x","width":100}""", "width"),
            ("""{"prompt":"x","batch_size":9}""", "batch_size"),
            ("""{"prompt":"x","seed":-7}""", "seed"),
            ("""{"prompt":5}""", "prompt"),
            ("""{"prompt":""", "JSON"),
        ];
        foreach (var (body, mentions) in cases)
        {
            using var response = await webUi.Client.PostAsync(new Uri("sdapi/v1/txt2img", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(string.IsNullOrEmpty(error.GetProperty("error").GetString()));
            Assert.Contains(mentions, error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(webUi.DataRoot, "outputs", "txt2img-images")), "A refused request must not produce an image.");
    }

    [Fact]
    public async Task Queue_job_streams_every_step_then_the_image_and_closes()
    {
        await using var webUi = await RunningWebUi.StartAsync();
        using var queue = await GradioQueueClient.ConnectAsync(webUi.WebSocketUri("queue/join"));

        var messages = await queue.RunAsync("a fox", null, 5, 4, null, null);

        Assert.Equal(["process_starts", "process_generating", "process_generating", "process_generating", "process_generating", "process_completed"],
            messages.Select(m => m.GetProperty("msg").GetString()));
        for (var step = 1; step <= 4; step++)
        {
            var progress = messages[step].GetProperty("output").GetProperty("data")[0];
            Assert.Equal(step, progress.GetProperty("step").GetInt32());
            Assert.Equal(4, progress.GetProperty("steps").GetInt32());
        }

        var completed = messages[^1];
        Assert.True(completed.GetProperty("success").GetBoolean());
        Assert.Contains("Seed: 5,", completed.GetProperty("output").GetProperty("data")[1].GetString(), StringComparison.Ordinal);
        var png = GradioQueueClient.ImageOf(completed);
        Assert.Equal(256, DecodedPng.Read(png).Width);
        Assert.Equal(await webUi.Txt2ImgPngAsync("a fox", seed: 5, steps: 4), png);

        Assert.Null(await queue.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, queue.Socket.CloseStatus);
    }

    [Fact]
    public async Task Server_sent_events_deliver_each_step_while_the_job_runs()
    {
        await using var webUi = await RunningWebUi.StartAsync(stepDelay: TimeSpan.FromMilliseconds(50));
        using var timeout = new CancellationTokenSource(Patience);

        using var response = await webUi.Client.GetAsync(new Uri("_standin/events?prompt=a%20kite&seed=9&steps=20", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var first = await ReadEventAsync(events, timeout.Token);
        Assert.Equal("progress", first!.Value.GetProperty("msg").GetString());
        Assert.Equal(1, first.Value.GetProperty("step").GetInt32());
        var meanwhile = await webUi.GetJsonAsync("sdapi/v1/progress");
        Assert.Equal("txt2img", meanwhile.GetProperty("state").GetProperty("job").GetString());

        for (var step = 2; step <= 20; step++)
        {
            var progress = await ReadEventAsync(events, timeout.Token);
            Assert.Equal(step, progress!.Value.GetProperty("step").GetInt32());
            Assert.Equal(20, progress.Value.GetProperty("steps").GetInt32());
        }

        var completed = await ReadEventAsync(events, timeout.Token);
        Assert.Equal("process_completed", completed!.Value.GetProperty("msg").GetString());
        Assert.Equal(9, completed.Value.GetProperty("seed").GetInt64());
        Assert.True(completed.Value.GetProperty("bytes").GetInt32() > 0);
        Assert.Null(await ReadEventAsync(events, timeout.Token));
    }

    [Fact]
    public async Task File_endpoint_serves_an_output_and_refuses_paths_outside_the_output_folders()
    {
        await using var webUi = await RunningWebUi.StartAsync();
        var saved = Assert.Single(ParseInfo(await webUi.Txt2ImgAsync(new { prompt = "served", seed = 3, steps = 1 })).GetProperty("saved_paths").EnumerateArray()).GetString()!;
        var secret = Path.Combine(webUi.TempRoot, "secret.txt");
        await File.WriteAllTextAsync(secret, "top secret");

        using var served = await webUi.Client.GetAsync(new Uri(webUi.BaseAddress, "/file=" + saved));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await File.ReadAllBytesAsync(saved), await served.Content.ReadAsByteArrayAsync());

        var outputs = Path.GetDirectoryName(saved)!;
        string[] attempts =
        [
            "/file=../secret.txt",
            "/file=" + secret,
            "/file=" + outputs + "/../../../secret.txt",
            "/file=" + outputs + "/%2E%2E/%2E%2E/%2E%2E/secret.txt",
            "/file=/etc/passwd",
        ];
        foreach (var attempt in attempts)
        {
            var uri = new Uri(webUi.BaseAddress + attempt.TrimStart('/'), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
            using var refused = await webUi.Client.GetAsync(uri);

            Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{attempt} answered {refused.StatusCode}.");
            Assert.DoesNotContain("top secret", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Upload_streams_a_large_body_to_disk_and_reports_its_size_and_sha256()
    {
        await using var webUi = await RunningWebUi.StartAsync();
        const long size = (50L * 1024 * 1024) + 12_345;
        using var body = new GeneratedContent(size);

        using var response = await webUi.Client.PostAsync(new Uri("upload?name=model.safetensors", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await response.Content.ReadFromJsonAsync<JsonElement>();
        var path = stored.GetProperty("path").GetString()!;
        Assert.Equal(Path.Combine(webUi.DataRoot, "uploads", "model.safetensors"), path);
        Assert.Equal(size, stored.GetProperty("bytes").GetInt64());
        Assert.Equal(body.Sha256Hex, stored.GetProperty("sha256").GetString());
        Assert.Equal(size, new FileInfo(path).Length);
    }

    [Fact]
    public async Task Upload_refuses_a_name_that_could_leave_the_upload_folder()
    {
        await using var webUi = await RunningWebUi.StartAsync();

        foreach (var name in new[] { "..%2Fescape.txt", "a%2Fb.txt", "..", "" })
        {
            using var response = await webUi.Client.PostAsync(new Uri($"upload?name={name}", UriKind.Relative), new ByteArrayContent([1, 2, 3]));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var error = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(string.IsNullOrEmpty(error.GetProperty("detail").GetString()));
        }

        Assert.False(File.Exists(Path.Combine(webUi.DataRoot, "escape.txt")));
    }

    [Fact]
    public async Task Home_page_offers_a_prompt_box_a_generate_button_and_an_image()
    {
        await using var webUi = await RunningWebUi.StartAsync();

        using var response = await webUi.Client.GetAsync(new Uri("/", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Stable Diffusion (stand-in)</title>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"prompt\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"generate\"", html, StringComparison.Ordinal);
        Assert.Contains("<img id=\"result\"", html, StringComparison.Ordinal);
        Assert.Contains("new URL('queue/join', location.href)", html, StringComparison.Ordinal); // generates over Gradio's queue, as A1111's page does
        Assert.DoesNotContain("<script src", html, StringComparison.Ordinal);

        using var ping = await webUi.Client.GetAsync(new Uri("internal/ping", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task Negative_step_delay_stops_start_up_with_a_message_naming_the_key()
    {
        var app = StandInWebUi.Build(["--urls", "http://127.0.0.1:0", "--WebUI:StepDelay", "-00:00:01", "--Logging:LogLevel:Default", "None"]);
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
            Assert.Contains("WebUI:StepDelay", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    // Contract: gradio-app/gradio v3.41.0, gradio/routes.py, file(): dotfiles and directories 403, missing 404,
    // served only if under the working directory, created by the app, under an allowed path, or uploaded; else 403.
    [Fact]
    public async Task File_route_follows_Gradio_3_41_rules()
    {
        await using var webUi = await RunningWebUi.StartAsync();
        var saved = Assert.Single(ParseInfo(await webUi.Txt2ImgAsync(new { prompt = "mine", seed = 3, steps = 1 })).GetProperty("saved_paths").EnumerateArray()).GetString()!;
        using (var upload = await webUi.Client.PostAsync("upload?name=in.png", new ByteArrayContent([1, 2, 3])))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        var stray = Path.Combine(webUi.DataRoot, "outputs", "not-made-here.png");
        await File.WriteAllBytesAsync(stray, [4, 5, 6]);
        var dot = Path.Combine(webUi.DataRoot, ".secret");
        await File.WriteAllBytesAsync(dot, [7]);
        var outside = Path.Combine(webUi.TempRoot, "elsewhere.png");
        await File.WriteAllBytesAsync(outside, [8]);

        async Task<HttpStatusCode> StatusOf(string path)
        {
            using var response = await webUi.Client.GetAsync(new Uri("file=" + path, UriKind.Relative));
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await StatusOf(saved)); // created by this process
        Assert.Equal(HttpStatusCode.OK, await StatusOf(Path.Combine(webUi.DataRoot, "uploads", "in.png"))); // uploaded
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(stray)); // exists, but none of the four reasons holds
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(dot)); // dotfile
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(Path.Combine(webUi.DataRoot, "outputs"))); // directory
        Assert.Equal(HttpStatusCode.NotFound, await StatusOf(Path.Combine(webUi.DataRoot, "outputs", "missing.png")));
        Assert.Equal(HttpStatusCode.NotFound, await StatusOf(outside)); // not in this runtime's filesystem at all
    }

    // Contract: AUTOMATIC1111 modules/shared_options.py restricted_opts + modules/options.py Options.set: with
    // --hide-ui-dir-config a write of a restricted key answers 200 and changes nothing; outdir_img2img_grids is not restricted.
    [Fact]
    public async Task Hide_ui_dir_config_ignores_output_folder_writes_with_200()
    {
        await using var webUi = await RunningWebUi.StartAsync(flags: "--api --hide-ui-dir-config");
        var before = (await webUi.GetJsonAsync("sdapi/v1/options")).GetProperty("outdir_txt2img_samples").GetString();
        var inside = Path.Combine(webUi.DataRoot, "outputs", "other");

        using var set = await webUi.Client.PostAsJsonAsync("sdapi/v1/options", new Dictionary<string, string>
        {
            ["outdir_txt2img_samples"] = inside,
            ["outdir_img2img_grids"] = inside,
        });

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var after = await webUi.GetJsonAsync("sdapi/v1/options");
        Assert.Equal(before, after.GetProperty("outdir_txt2img_samples").GetString());
        Assert.Equal(inside, after.GetProperty("outdir_img2img_grids").GetString()); // positive control: not a restricted key
        Assert.True((await webUi.GetJsonAsync("sdapi/v1/cmd-flags")).GetProperty("hide_ui_dir_config").GetBoolean());
    }

    [Fact]
    public async Task Freeze_settings_makes_options_writes_fail_and_no_api_flag_means_no_sdapi()
    {
        await using (var frozen = await RunningWebUi.StartAsync(flags: "--api --freeze-settings"))
        {
            using var set = await frozen.Client.PostAsJsonAsync("sdapi/v1/options", new Dictionary<string, int> { ["n_rows"] = 2 });
            Assert.Equal(HttpStatusCode.InternalServerError, set.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await frozen.Client.GetAsync(new Uri("sdapi/v1/options", UriKind.Relative))).StatusCode);
        }

        await using var noApi = await RunningWebUi.StartAsync(flags: "");
        Assert.Equal(HttpStatusCode.NotFound, (await noApi.Client.GetAsync(new Uri("sdapi/v1/options", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await noApi.Client.GetAsync(new Uri("internal/ping", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_flag_the_stand_in_does_not_reproduce_stops_start_up_naming_the_setting()
    {
        var app = StandInWebUi.Build(["--urls", "http://127.0.0.1:0", "--WebUI:CommandLineArgs", "--api --api-auth a:b", "--Logging:LogLevel:Default", "None"]);
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
            Assert.Contains("WebUI:CommandLineArgs", error.Message, StringComparison.Ordinal);
            Assert.Contains("--api-auth", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static JsonElement ParseInfo(JsonElement txt2imgAnswer) =>
        JsonSerializer.Deserialize<JsonElement>(txt2imgAnswer.GetProperty("info").GetString()!);

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what)
        where T : struct
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Gave up after {Patience.TotalSeconds} s waiting for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5)); // poll interval, not a wait for the outcome
        }
    }

    /// <summary>The data of the next server-sent event, or null when the stream has ended.</summary>
    private static async Task<JsonElement?> ReadEventAsync(StreamReader events, CancellationToken cancellationToken)
    {
        string? data = null;
        while (await events.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0 && data is not null)
            {
                return JsonSerializer.Deserialize<JsonElement>(data);
            }

            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }

        Assert.Null(data);
        return null;
    }

    /// <summary>One stand-in WebUI on a free loopback port with a throw-away data folder.</summary>
    private sealed class RunningWebUi : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private RunningWebUi(WebApplication app, string tempRoot)
        {
            _app = app;
            TempRoot = tempRoot;
            BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/");
            Client = new HttpClient { BaseAddress = BaseAddress, Timeout = Patience };
        }

        public HttpClient Client { get; }

        public Uri BaseAddress { get; }

        public string TempRoot { get; }

        public string DataRoot => Path.Combine(TempRoot, "data");

        public static async Task<RunningWebUi> StartAsync(TimeSpan? stepDelay = null, string? flags = null)
        {
            var tempRoot = Path.Combine(Path.GetTempPath(), "sdagones-webui-tests", Guid.NewGuid().ToString("N"));
            var app = StandInWebUi.Build(
            [
                "--urls", "http://127.0.0.1:0",
                "--WebUI:DataRoot", Path.Combine(tempRoot, "data"),
                "--WebUI:StepDelay", (stepDelay ?? TimeSpan.FromMilliseconds(1)).ToString("c"),
                "--WebUI:CommandLineArgs", flags ?? "--api",
                "--Logging:LogLevel:Default", "Warning",
            ]);
            await app.StartAsync();
            return new RunningWebUi(app, tempRoot);
        }

        public Uri WebSocketUri(string path) => new UriBuilder(new Uri(BaseAddress, path)) { Scheme = "ws" }.Uri;

        public async Task<JsonElement> GetJsonAsync(string path) =>
            await Client.GetFromJsonAsync<JsonElement>(new Uri(path, UriKind.Relative));

        public async Task<JsonElement> Txt2ImgAsync(object request)
        {
            using var response = await Client.PostAsJsonAsync("sdapi/v1/txt2img", request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        public async Task<byte[]> Txt2ImgPngAsync(string prompt, long seed, int steps = 2)
        {
            var answer = await Txt2ImgAsync(new { prompt, seed, steps });
            return Convert.FromBase64String(answer.GetProperty("images")[0].GetString()!);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
            try
            {
                Directory.Delete(TempRoot, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    /// <summary>A PNG read the way a viewer reads it: chunk CRCs checked, IHDR read, IDAT inflated.</summary>
    private sealed record DecodedPng(int Width, int Height, int BytesPerPixel, byte[] Scanlines)
    {
        private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

        public static DecodedPng Read(byte[] png)
        {
            Assert.Equal(Signature, png[..8]);
            int width = 0, height = 0, bytesPerPixel = 0;
            using var idat = new MemoryStream();
            var at = 8;
            var sawEnd = false;
            while (!sawEnd)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
                var type = Encoding.ASCII.GetString(png, at + 4, 4);
                var data = png.AsSpan(at + 8, length);
                Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)), Crc(png.AsSpan(at + 4, 4 + length)));
                switch (type)
                {
                    case "IHDR":
                        Assert.Equal(0, at - 8);
                        width = BinaryPrimitives.ReadInt32BigEndian(data);
                        height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                        var channels = data[9] switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => 0 };
                        Assert.Equal(8, data[8]);
                        Assert.NotEqual(0, channels);
                        bytesPerPixel = channels;
                        break;
                    case "IDAT":
                        idat.Write(data);
                        break;
                    case "IEND":
                        sawEnd = true;
                        break;
                }

                at += 12 + length;
            }

            Assert.Equal(png.Length, at);
            using var inflated = new MemoryStream();
            using (var zlib = new ZLibStream(new MemoryStream(idat.ToArray()), CompressionMode.Decompress))
            {
                zlib.CopyTo(inflated);
            }

            var scanlines = inflated.ToArray();
            var stride = 1 + (width * bytesPerPixel);
            for (var row = 0; row * stride < scanlines.Length; row++)
            {
                Assert.InRange(scanlines[row * stride], (byte)0, (byte)4);
            }

            return new DecodedPng(width, height, bytesPerPixel, scanlines);
        }

        private static uint Crc(ReadOnlySpan<byte> bytes)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
                }
            }

            return ~crc;
        }
    }

    /// <summary>A request body produced on the fly (no length, so it goes chunked) whose SHA-256 is known once sent.</summary>
    private sealed class GeneratedContent(long size) : HttpContent
    {
        public string Sha256Hex { get; private set; } = "";

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var random = new Random(1234);
            var chunk = new byte[64 * 1024];
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (var left = size; left > 0; left -= chunk.Length)
            {
                var count = (int)Math.Min(chunk.Length, left);
                random.NextBytes(chunk);
                sha256.AppendData(chunk, 0, count);
                await stream.WriteAsync(chunk.AsMemory(0, count));
            }

            Sha256Hex = Convert.ToHexStringLower(sha256.GetHashAndReset());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
