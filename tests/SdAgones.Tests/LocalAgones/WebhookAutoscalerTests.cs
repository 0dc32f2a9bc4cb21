using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SdAgones.LocalAgones;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.LocalAgones;

/// <summary>
/// A real webhook on Kestrel that answers FleetAutoscaleReviews as it is told to, and one LocalAgones whose Fleet has a
/// Webhook FleetAutoscaler pointing at it. Runtimes are kept from starting (a start delay of an hour): the Fleet's
/// replicas and GameServers are what is watched.
/// </summary>
public sealed class WebhookAutoscalerFixture : IAsyncLifetime
{
    private WebApplication webhook = null!;

    /// <summary>What the webhook does with the next review.</summary>
    public Func<FleetAutoscaleReview, IResult> Answer { get; set; } = review => Scale(review, 1);

    public ConcurrentQueue<FleetAutoscaleReview> Reviews { get; } = new();

    public LocalAgonesHost Host { get; private set; } = null!;

    public Uri WebhookUrl { get; private set; } = null!;

    public static IResult Scale(FleetAutoscaleReview review, int replicas, bool scale = true) => Results.Json(new FleetAutoscaleReview
    {
        Request = review.Request,
        Response = new FleetAutoscaleResponse { Uid = review.Request!.Uid, Scale = scale, Replicas = replicas },
    });

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        webhook = builder.Build();
        webhook.MapPost("/fleetautoscale", async (HttpRequest request) =>
        {
            var review = (await request.ReadFromJsonAsync<FleetAutoscaleReview>())!;
            Reviews.Enqueue(review);
            return Answer(review);
        });
        await webhook.StartAsync();
        var address = webhook.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        WebhookUrl = new Uri(new Uri(address), "/fleetautoscale");
        Host = await WebhookAutoscalerTests.StartLocalAgonesAsync(WebhookUrl);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await webhook.StopAsync();
        await webhook.DisposeAsync();
    }
}

/// <summary>
/// Issue 20: LocalAgones runs the Webhook FleetAutoscaler policy as Agones does — it posts a FleetAutoscaleReview every
/// sync interval and applies <c>scale</c>/<c>replicas</c>; when the webhook fails (500, garbage, down) or says
/// <c>scale: false</c> the Fleet keeps its replicas, and a Warning Event on the FleetAutoscaler says why.
/// </summary>
public sealed class WebhookAutoscalerTests(WebhookAutoscalerFixture fixture) : IClassFixture<WebhookAutoscalerFixture>
{
    private const string Fleet = "sd-agones-fleet";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private LocalAgonesHost Host => fixture.Host;

    internal static Task<LocalAgonesHost> StartLocalAgonesAsync(Uri webhook) =>
        LocalAgonesHost.StartAsync(buffer: 1, max: 4,
            "--Fleet:Autoscaling", "Webhook",
            "--Fleet:WebhookUrl", webhook.ToString(),
            "--Fleet:SyncInterval", "00:00:00.200",
            "--Fleet:StartDelay", "01:00:00");

    [Fact]
    public async Task The_Fleet_takes_the_replicas_the_webhook_answers_up_and_down()
    {
        fixture.Answer = review => WebhookAutoscalerFixture.Scale(review, 3);
        await FleetReachesAsync(3);
        await Eventually.HoldsAsync(async () => (await Host.ListAsync()).Count == 3, Patience, "3 GameServers");

        fixture.Answer = review => WebhookAutoscalerFixture.Scale(review, 2);
        await FleetReachesAsync(2);

        // What Agones posts: a fresh uid per round trip, the Fleet's name, namespace and status.
        var reviews = fixture.Reviews.ToArray();
        Assert.All(reviews, r => Assert.Equal((Fleet, "default"), (r.Request!.Name, r.Request.Namespace)));
        Assert.Equal(reviews.Length, reviews.Select(r => r.Request!.Uid).Distinct().Count());
        Assert.Contains(reviews, r => r.Request!.Status.Replicas == 3);

        var scaled = await EventsAsync("AutoScalingFleet");
        Assert.Contains(scaled, e => e.Message == $"Scaling fleet {Fleet} from 3 to 2" && e.Type == "Normal");
        var autoscaler = await AutoscalerAsync();
        Assert.True(autoscaler.GetProperty("status").GetProperty("ableToScale").GetBoolean());
    }

    [Theory]
    [InlineData("500")]
    [InlineData("garbage")]
    [InlineData("no response")]
    public async Task A_failing_webhook_leaves_the_replicas_and_says_why(string fault)
    {
        fixture.Answer = review => WebhookAutoscalerFixture.Scale(review, 4);
        await FleetReachesAsync(4);

        fixture.Answer = fault switch
        {
            "500" => _ => Results.Problem("forecast broke", statusCode: StatusCodes.Status500InternalServerError),
            "garbage" => _ => Results.Text("<html>not a review</html>", "text/html"),
            _ => review => Results.Json(new FleetAutoscaleReview { Request = review.Request }),
        };
        var expected = fault switch
        {
            "500" => $"bad status code 500 from the server: {fixture.WebhookUrl}",
            "garbage" => "is no FleetAutoscaleReview",
            _ => "has no response",
        };
        var warning = await Eventually.ReturnsAsync(async () =>
                (await EventsAsync("FleetAutoscaler")).LastOrDefault(e => e.Message.Contains(expected, StringComparison.Ordinal)),
            Patience, $"a FleetAutoscaler warning about {fault}");
        Assert.Equal("Warning", warning.Type);
        Assert.StartsWith($"Error calculating desired fleet size on FleetAutoscaler {Fleet}-autoscaler. Error: ", warning.Message, StringComparison.Ordinal);

        // Several more failed syncs: the Fleet still wants 4, and the autoscaler says it cannot scale.
        var seen = fixture.Reviews.Count;
        await Eventually.HoldsAsync(() => Task.FromResult(fixture.Reviews.Count >= seen + 3), Patience, "three more reviews");
        Assert.Equal(4, await ReplicasAsync());
        Assert.False((await AutoscalerAsync()).GetProperty("status").GetProperty("ableToScale").GetBoolean());

        // Control: the webhook answers again and the Fleet follows it.
        fixture.Answer = review => WebhookAutoscalerFixture.Scale(review, 2);
        await FleetReachesAsync(2);
    }

    [Fact]
    public async Task Scale_false_keeps_the_Fleet_as_it_is()
    {
        fixture.Answer = review => WebhookAutoscalerFixture.Scale(review, 3);
        await FleetReachesAsync(3);
        await Eventually.HoldsAsync(async () => (await Host.ListAsync()).Count == 3, Patience, "3 GameServers");

        fixture.Answer = review => WebhookAutoscalerFixture.Scale(review, 0, scale: false);
        var seen = fixture.Reviews.Count;
        await Eventually.HoldsAsync(() => Task.FromResult(fixture.Reviews.Count >= seen + 3), Patience, "three more reviews");
        Assert.Equal(3, await ReplicasAsync());
        Assert.True((await AutoscalerAsync()).GetProperty("status").GetProperty("ableToScale").GetBoolean());

        // Control: the same answer with scale: true empties the Fleet.
        fixture.Answer = review => WebhookAutoscalerFixture.Scale(review, 0);
        await FleetReachesAsync(0);
    }

    [Fact]
    public async Task Kubectl_shows_a_Webhook_FleetAutoscaler_with_its_url()
    {
        var config = await Host.WriteKubeconfigAsync();
        var info = new ProcessStartInfo("kubectl", ["--kubeconfig", config, "get", "fleetautoscalers", "-o", "yaml"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        using var cts = new CancellationTokenSource(Patience);
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, await errors);
        var yaml = await output;
        Assert.Contains("      type: Webhook", yaml, StringComparison.Ordinal);
        Assert.Contains($"        url: {fixture.WebhookUrl}", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("bufferSize", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_that_is_down_leaves_the_replicas_as_they_are()
    {
        var dead = new Uri($"http://127.0.0.1:{FreePort.Next()}/fleetautoscale");
        await using var host = await StartLocalAgonesAsync(dead);

        var warning = await Eventually.ReturnsAsync(async () =>
                (await EventsAsync("FleetAutoscaler", host)).LastOrDefault(e => e.Message.Contains($"Post \"{dead}\"", StringComparison.Ordinal)),
            Patience, "a FleetAutoscaler warning about the dead webhook");
        Assert.Equal("Warning", warning.Type);
        await Eventually.HoldsAsync(async () => (await EventsAsync("FleetAutoscaler", host)).Single().Count >= 3, Patience, "three failed syncs, counted on one event");

        // The Fleet keeps the replicas it started with (Fleet:BufferSize 1) and its one GameServer.
        Assert.Equal(1, await ReplicasAsync(host));
        Assert.Single(await host.ListAsync());
    }

    [Fact]
    public async Task With_two_profiles_each_Fleet_is_reviewed_on_its_own_and_follows_its_own_answer()
    {
        const string t4 = "sd-agones-fleet-t4", l4 = "sd-agones-fleet-l4";
        fixture.Answer = review => WebhookAutoscalerFixture.Scale(review, review.Request!.Name switch { t4 => 3, l4 => 1, _ => 1 });
        var host = await LocalAgonesHost.StartAsync(buffer: 1, max: 4,
            "--Fleet:Autoscaling", "Webhook",
            "--Fleet:WebhookUrl", fixture.WebhookUrl.ToString(),
            "--Fleet:SyncInterval", "00:00:00.200",
            "--Fleet:StartDelay", "01:00:00",
            "--Profiles:0:Slug", "t4", "--Profiles:0:Buffer", "1", "--Profiles:0:MaxReplicas", "4", "--Profiles:0:Default", "true",
            "--Profiles:1:Slug", "l4", "--Profiles:1:Buffer", "1", "--Profiles:1:MaxReplicas", "4");
        try
        {
            await TwoFleetsFollowTheirOwnAnswersAsync(host, t4, l4);
        }
        finally
        {
            // The other tests read the shared webhook's reviews: none of this LocalAgones' Fleets may stay among them.
            await host.DisposeAsync();
            fixture.Reviews.Clear();
        }
    }

    private async Task TwoFleetsFollowTheirOwnAnswersAsync(LocalAgonesHost host, string t4, string l4)
    {
        // Each Fleet takes its own answer: 3 for t4, 1 for l4 (never the other's), with that many GameServers of its own.
        await Eventually.HoldsAsync(async () => await ReplicasAsync(host, t4) == 3 && await ReplicasAsync(host, l4) == 1, Patience, "t4 to want 3 and l4 1");
        await Eventually.HoldsAsync(async () =>
        {
            var servers = await host.ListAsync();
            return servers.Count(s => s.Metadata.Labels![AgonesApi.FleetLabel] == t4) == 3 && servers.Count(s => s.Metadata.Labels![AgonesApi.FleetLabel] == l4) == 1;
        }, Patience, "3 GameServers in t4 and 1 in l4");
        var names = fixture.Reviews.Select(r => r.Request!.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(t4, names);
        Assert.Contains(l4, names);

        // The answers swap and so do the Fleets: each follows what was said about it.
        fixture.Answer = review => WebhookAutoscalerFixture.Scale(review, review.Request!.Name == t4 ? 0 : review.Request.Name == l4 ? 2 : 1);
        await Eventually.HoldsAsync(async () => await ReplicasAsync(host, t4) == 0 && await ReplicasAsync(host, l4) == 2, Patience, "t4 to want 0 and l4 2");

        // kubectl lists one Webhook FleetAutoscaler per Fleet, all with the same URL.
        var (code, output, errors) = await Kubectl.RunAsync(await host.WriteKubeconfigAsync(), "get", "fleetautoscalers", "-o",
            "jsonpath={range .items[*]}{.spec.fleetName}:{.spec.policy.type}:{.spec.policy.webhook.url};{end}");
        Assert.True(code == 0, errors);
        Assert.Equal($"{t4}:Webhook:{fixture.WebhookUrl};{l4}:Webhook:{fixture.WebhookUrl};", output.Trim());
    }

    [Fact]
    public void A_bad_policy_setting_stops_start_up_naming_key_value_and_what_is_allowed()
    {
        string[] Args(params string[] extra) => ["--urls", "http://127.0.0.1:0", "--Fleet:StorageRoot", Path.GetTempPath(), .. extra];

        using (var noUrl = LocalAgonesApp.Build(Args("--Fleet:Autoscaling", "Webhook")))
        {
            Assert.Equal(
                ["Fleet:WebhookUrl = \"\" is not allowed; with Fleet:Autoscaling = Webhook use the webhook's absolute http(s) URL, e.g. http://127.0.0.1:5200/fleetautoscale"],
                noUrl.SettingsProblems());
        }

        using (var relative = LocalAgonesApp.Build(Args("--Fleet:Autoscaling", "webhook", "--Fleet:WebhookUrl", "cruiser/fleetautoscale")))
        {
            Assert.Equal(
                ["Fleet:WebhookUrl = \"cruiser/fleetautoscale\" is not allowed; with Fleet:Autoscaling = Webhook use the webhook's absolute http(s) URL, e.g. http://127.0.0.1:5200/fleetautoscale"],
                relative.SettingsProblems());
        }

        using (var unknown = LocalAgonesApp.Build(Args("--Fleet:Autoscaling", "Forecast")))
        {
            Assert.Equal(["Fleet:Autoscaling = \"Forecast\" is not allowed; use one of Buffer, Webhook"], unknown.SettingsProblems());
        }

        // Control: the same settings with an absolute URL start.
        using var good = LocalAgonesApp.Build(Args("--Fleet:Autoscaling", "Webhook", "--Fleet:WebhookUrl", "http://127.0.0.1:5200/fleetautoscale"));
        Assert.Empty(good.SettingsProblems());
    }

    private async Task FleetReachesAsync(int replicas) =>
        await Eventually.HoldsAsync(async () => await ReplicasAsync() == replicas, Patience, $"the Fleet to want {replicas} replicas");

    private async Task<int> ReplicasAsync(LocalAgonesHost? host = null, string fleetName = Fleet)
    {
        using var http = new HttpClient { BaseAddress = (host ?? Host).Url };
        var fleet = await http.GetFromJsonAsync<JsonElement>($"/apis/agones.dev/v1/namespaces/default/fleets/{fleetName}");
        return fleet.GetProperty("spec").GetProperty("replicas").GetInt32();
    }

    private async Task<JsonElement> AutoscalerAsync()
    {
        using var http = new HttpClient { BaseAddress = Host.Url };
        return await http.GetFromJsonAsync<JsonElement>($"/apis/autoscaling.agones.dev/v1/namespaces/default/fleetautoscalers/{Fleet}-autoscaler");
    }

    private async Task<List<FleetAutoscalerEvent>> EventsAsync(string reason, LocalAgonesHost? host = null)
    {
        using var http = new HttpClient { BaseAddress = (host ?? Host).Url };
        var list = await http.GetFromJsonAsync<JsonElement>(
            $"/api/v1/namespaces/default/events?fieldSelector={Uri.EscapeDataString($"involvedObject.kind=FleetAutoscaler,reason={reason}")}");
        return [.. list.GetProperty("items").EnumerateArray().Select(e =>
            new FleetAutoscalerEvent(e.GetProperty("type").GetString()!, e.GetProperty("message").GetString()!, e.GetProperty("count").GetInt32()))];
    }

    private sealed record FleetAutoscalerEvent(string Type, string Message, int Count);
}
