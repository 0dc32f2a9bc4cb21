using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;
using SdAgones.CacheServer;
using SdAgones.Gateway.Forwarding;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Operability;

/// <summary>
/// With forwarded-trace sampling turned down, the requests someone would look for are still there: a slow generation
/// and a failed request keep their spans, a quick one that went well leaves none, and the runtime does not trace what
/// the gateway dropped. <c>Gateway:EmailOnSpans</c> names the person by email only when it is on.
/// </summary>
public sealed class ForwardedTraceTests
{
    [Fact]
    public async Task Sampling_off_drops_a_quick_request_but_keeps_a_slow_generation_and_a_sampled_gateway_keeps_everything()
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
            ["Fleet:StorageRoot"] = Directory.CreateTempSubdirectory("sdagones-sampling-").FullName,
            ["Fleet:WebUIStepDelay"] = "00:00:00.050",
        }, variables: otlp.ExporterEnvironment("localagones"));
        await agones.WaitUntilHealthyAsync();
        await using var sparse = StartGateway(agones, cachePort, otlp, "gateway-sparse", "0", emailOnSpans: true);
        await using var full = StartGateway(agones, cachePort, otlp, "gateway-full", "1", emailOnSpans: false);
        await sparse.WaitUntilHealthyAsync();
        await full.WaitUntilHealthyAsync();

        using var alice = GatewayClient.For(sparse.Url, "alice@example.com");
        await RuntimeProbe.WaitForRuntimeAsync(alice, "alice's runtime");
        using var quick = await alice.GetAsync("/internal/ping");
        Assert.Equal(HttpStatusCode.OK, quick.StatusCode);
        var watch = Stopwatch.StartNew();
        using var slow = await alice.PostAsJsonAsync("/sdapi/v1/txt2img", new { prompt = "a lighthouse", seed = 1, steps = 20 }); // 20 × 50 ms
        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1), $"the generation took {watch.Elapsed}, not slower than the 0.5 s threshold");

        // Positive control: the same quick request through the gateway that samples everything is traced, into the runtime.
        using var aliceViaFull = GatewayClient.For(full.Url, "alice@example.com");
        using var quickViaFull = await aliceViaFull.GetAsync("/internal/ping");
        Assert.Equal(HttpStatusCode.OK, quickViaFull.StatusCode);
        var fullQuick = await Eventually.ReturnsAsync(
            () => Task.FromResult(otlp.Spans.FirstOrDefault(s => s.Service == "gateway-full" && s.Name == "forward GET /internal/ping" && s.Attributes.ContainsKey(GatewayRequestSpan.PersonTag))),
            TimeSpan.FromSeconds(30), $"the fully sampled gateway's span of the quick request among {otlp.Describe()}");
        await Eventually.ReturnsAsync(
            () => Task.FromResult(otlp.Spans.FirstOrDefault(s => s.Service == "webui" && s.TraceId == fullQuick.TraceId)),
            TimeSpan.FromSeconds(30), $"the runtime's span under the sampled request's trace {fullQuick.TraceId} among {otlp.Describe()}");
        Assert.Matches("^[0-9a-f]{12}$", fullQuick.Attributes[GatewayRequestSpan.PersonTag]);

        // The slow generation is kept though nothing is sampled, named by the email (EmailOnSpans on)...
        var generation = await Eventually.ReturnsAsync(
            () => Task.FromResult(otlp.Spans.FirstOrDefault(s => s.Service == "gateway-sparse" && s.Name == "forward POST /sdapi/v1/txt2img" && s.Attributes.ContainsKey(GatewayRequestSpan.PersonTag))),
            TimeSpan.FromSeconds(30), $"the slow generation's span among {otlp.Describe()}");
        Assert.Equal("alice@example.com", generation.Attributes[GatewayRequestSpan.PersonTag]);
        Assert.Contains(otlp.Spans, s => s.Service == "gateway-sparse" && s.SpanId == generation.ParentSpanId); // its server span too

        // ...while the quick request before it left nothing, in the gateway or the runtime (both ended before the generation did).
        Assert.DoesNotContain(otlp.Spans, s => s.Service == "gateway-sparse" && s.Name.Contains("internal/ping", StringComparison.Ordinal));
        Assert.DoesNotContain(otlp.Spans, s => s.Service == "webui" && s.TraceId == generation.TraceId);
        Assert.Single(otlp.Spans, s => s.Service == "webui" && s.Name.Contains("internal/ping", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, 10, false)] // quick and fine: dropped
    [InlineData(true, 10, true)]   // failed: kept
    [InlineData(false, 1500, true)] // slow: kept
    public void An_unsampled_request_is_exported_only_when_it_failed_or_was_slow(bool failed, int milliseconds, bool exported)
    {
        var spans = new List<Activity>();
        var time = new FakeTimeProvider();
        var traces = new ForwardedTraces(Options.Create(new ForwardingOptions { ForwardedTraceSampling = 0 }), time);
        using var server = new ActivitySource("SdAgones.Test.Server");
        using (Sdk.CreateTracerProviderBuilder()
            .SetSampler(new QuietBackgroundSampler())
            .AddSource("SdAgones.*")
            .AddProcessor(new PeriodicPassFilter(new SimpleActivityExportProcessor(new OpenTelemetry.Exporter.InMemoryExporter<Activity>(spans))))
            .Build())
        {
            using (var request = server.StartActivity("GET", ActivityKind.Server))
            {
                var startedAt = time.GetTimestamp();
                using (var forward = SdAgones.Gateway.GatewayTelemetry.Source.StartActivity("forward GET /sdapi/v1/options"))
                {
                    Assert.False(traces.IsSampled(forward));
                    time.Advance(TimeSpan.FromMilliseconds(milliseconds));
                    traces.Decide(forward, sampled: false, startedAt, failed);
                }
            }
        }

        Assert.Equal(exported ? ["forward GET /sdapi/v1/options", "GET"] : [], spans.Select(s => s.OperationName));
        Assert.Equal(failed, spans.Any(s => s.Status == ActivityStatusCode.Error));
    }

    private static ServiceProcess StartGateway(ServiceProcess agones, int cachePort, OtlpReceiver otlp, string service, string sampling, bool emailOnSpans) =>
        ServiceProcess.Start("SdAgones.Gateway", new Dictionary<string, string>
        {
            ["Identity:Mode"] = "Development",
            ["ConnectionStrings:cache"] = $"127.0.0.1:{cachePort.ToString(CultureInfo.InvariantCulture)}",
            ["Agones:ApiServer"] = agones.Url.ToString(),
            ["Gateway:ForwardedTraceSampling"] = sampling,
            ["Gateway:SlowRequestThreshold"] = "00:00:00.500",
            ["Gateway:EmailOnSpans"] = emailOnSpans ? "true" : "false",
        }, environment: "Development", variables: otlp.ExporterEnvironment(service));
}
