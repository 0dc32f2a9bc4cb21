using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;
using SdAgones.CacheServer;
using SdAgones.Gateway.Forwarding;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Operability;

/// <summary>
/// One person's request is one trace from the gateway into their runtime, findable by route, runtime and a
/// pseudonymous person id; the cruiser's passes that did nothing and stray cache commands are no traces at all.
/// </summary>
public sealed class TraceTests
{
    [Fact]
    public async Task One_generation_is_one_trace_from_the_gateway_span_into_the_runtimes_webui()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        var cachePort = FreePort.Next();
        using var garnet = new EmbeddedGarnet(IPAddress.Loopback, cachePort);
        garnet.Start();
        await using var agones = ServiceProcess.Start("SdAgones.LocalAgones", new Dictionary<string, string>
        {
            ["Fleet:BufferSize"] = "1",
            ["Fleet:MinReplicas"] = "0",
            ["Fleet:MaxReplicas"] = "2",
            ["Fleet:StorageRoot"] = Directory.CreateTempSubdirectory("sdagones-traces-").FullName,
            ["Fleet:WebUIStepDelay"] = "00:00:00.002",
        }, variables: otlp.ExporterEnvironment("localagones"));
        await agones.WaitUntilHealthyAsync();
        await using var gateway = ServiceProcess.Start("SdAgones.Gateway", new Dictionary<string, string>
        {
            ["Identity:Mode"] = "Development",
            ["ConnectionStrings:cache"] = $"127.0.0.1:{cachePort.ToString(CultureInfo.InvariantCulture)}",
            ["Agones:ApiServer"] = agones.Url.ToString(),
            ["Gateway:ForwardedTraceSampling"] = "1", // every forwarded request traced in full (ForwardedTraceTests covers less)
        }, environment: "Development", variables: otlp.ExporterEnvironment("gateway"));
        await gateway.WaitUntilHealthyAsync();

        using var alice = GatewayClient.For(gateway.Url, "alice@example.com");
        var runtime = await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");
        var image = await alice.PostAsJsonAsync("/sdapi/v1/txt2img", new { prompt = "a lighthouse", seed = 1, steps = 1 });
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);

        var forward = await Eventually.ReturnsAsync(
            () => Task.FromResult(otlp.Spans.FirstOrDefault(s => s.Service == "gateway" && s.Name == "forward POST /sdapi/v1/txt2img")),
            TimeSpan.FromSeconds(30), $"the gateway's span of the generation among {otlp.Describe()}");
        Assert.Equal(runtime, forward.Attributes[GatewayRequestSpan.RuntimeTag]);
        Assert.Equal("default", forward.Attributes[GatewayRequestSpan.ProfileTag]); // no profiles configured: the one default profile
        Assert.Equal("sd-agones-fleet", forward.Attributes[GatewayRequestSpan.FleetTag]);
        var person = forward.Attributes[GatewayRequestSpan.PersonTag];
        Assert.Matches("^[0-9a-f]{12}$", person);
        Assert.Empty(otlp.Spans.SelectMany(s => s.Attributes.Where(a => a.Value.Contains("alice", StringComparison.Ordinal)).Select(a => $"{s.Service} '{s.Name}' {a.Key}={a.Value}")));

        var inRuntime = await Eventually.ReturnsAsync(
            () => Task.FromResult(otlp.Spans.FirstOrDefault(s => s.Service == "webui" && s.TraceId == forward.TraceId)),
            TimeSpan.FromSeconds(30), $"the runtime's WebUI span in trace {forward.TraceId} among {otlp.Describe()}");
        Assert.Contains("txt2img", inRuntime.Name, StringComparison.Ordinal);
        Assert.DoesNotContain(otlp.Spans, s => s.Service == "webui" && s.TraceId != forward.TraceId && s.Name.Contains("txt2img", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/sdapi/v1/options", "/sdapi/v1/options")]
    [InlineData("/file=/data/runtimes/x/outputs/txt2img-images/00000-1.png", "/file={path}")]
    [InlineData("/queue/join", "/queue/join")]
    [InlineData("/assets/index-3f2a9c.js", "/assets/{id}")]
    [InlineData("/internal/progress/12345", "/internal/progress/{id}")]
    public void A_forwarded_request_is_named_by_its_route_kind(string path, string kind) =>
        Assert.Equal(kind, GatewayRequestSpan.RouteKind(new PathString(path)));

    [Theory]
    [InlineData("idle.pass", "reclaimed", 0, false)]
    [InlineData("idle.pass", "reclaimed", 2, true)]
    [InlineData("reconcile", "dropped", 0, false)]
    [InlineData("reconcile", "dropped", 1, true)]
    public void A_periodic_pass_is_a_trace_only_when_it_acted(string pass, string outcome, int count, bool kept)
    {
        var exported = new List<Activity>();
        using var source = new ActivitySource("SdAgones.Cruiser");
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .SetSampler(new QuietBackgroundSampler())
            .AddSource("SdAgones.*")
            .AddProcessor(new PeriodicPassFilter(new SimpleActivityExportProcessor(new OpenTelemetry.Exporter.InMemoryExporter<Activity>(exported))))
            .Build())
        {
            using (var root = source.StartActivity(pass))
            {
                using (source.StartActivity("EVAL", ActivityKind.Client))
                {
                }

                root?.SetTag(outcome, count);
            }

            using (source.StartActivity("person request", ActivityKind.Server))
            {
            }
        }

        Assert.Contains(exported, a => a.OperationName == "person request");
        Assert.Equal(kept ? [pass, "EVAL"] : [], exported.Where(a => a.OperationName != "person request").Select(a => a.OperationName).Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public void A_cache_command_under_no_parent_is_not_a_trace_but_under_a_request_it_is()
    {
        var exported = new List<Activity>();
        using var source = new ActivitySource("SdAgones.Test");
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .SetSampler(new QuietBackgroundSampler())
            .AddSource("SdAgones.*")
            .AddInMemoryExporter(exported)
            .Build())
        {
            using (source.StartActivity("EVAL", ActivityKind.Client))
            {
            }

            using (source.StartActivity("person request", ActivityKind.Server))
            using (source.StartActivity("EVAL", ActivityKind.Client))
            {
            }
        }

        Assert.Equal(["EVAL", "person request"], exported.Select(a => a.OperationName));
        Assert.NotNull(exported[0].Parent ?? (object?)exported[0].ParentId);
    }
}
