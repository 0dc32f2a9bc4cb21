using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every SdAgones service shares: OpenTelemetry (exported over OTLP when Aspire or the cluster sets
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), health endpoints, service discovery and resilient outgoing HTTP.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Path of the readiness check: every registered health check must pass.</summary>
    public const string HealthPath = "/health";

    /// <summary>Path of the liveness check: only checks tagged "live" run, so a slow dependency never restarts the pod.</summary>
    public const string AlivePath = "/alive";

    /// <summary>Wires telemetry, health checks, service discovery and resilience for a service.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>Logs, metrics and traces for ASP.NET Core, HttpClient, the runtime and the service's own sources.</summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        OtlpSettings.AddCheck(builder.Services);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            if (otlp)
            {
                logging.AddOtlpExporter();
            }
        });
        QuietLibraryLogs(builder.Logging);

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter("SdAgones.*")
                    .AddView(SecondsBuckets);
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing
                    .SetSampler(new QuietBackgroundSampler())
                    .AddSource(builder.Environment.ApplicationName)
                    .AddSource("SdAgones.*")
                    .AddAspNetCoreInstrumentation(aspnet =>
                        aspnet.Filter = context =>
                            !context.Request.Path.StartsWithSegments(HealthPath)
                            && !context.Request.Path.StartsWithSegments(AlivePath))
                    .AddHttpClientInstrumentation();
                if (otlp)
                {
                    // Traces go through the periodic-pass filter on their way to the exporter (see PeriodicPassFilter).
                    tracing.AddProcessor(_ => new PeriodicPassFilter(OtlpTraceExport(builder.Configuration)));
                }
            });

        return builder;
    }

    // The OTLP exporter as UseOtlpExporter would make it (endpoint, protocol and headers from OTEL_EXPORTER_OTLP_*, in the
    // environment or, for a process started with settings on its command line, in configuration), batched with
    // OTEL_BSP_SCHEDULE_DELAY when the orchestrator sets it (Aspire asks for 1 s).
    private static BatchActivityExportProcessor OtlpTraceExport(IConfiguration configuration)
    {
        var options = new OtlpExporterOptions();
        if (Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is null && configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { } endpoint)
        {
            options.Protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            options.Endpoint = new Uri(options.Protocol == OtlpExportProtocol.HttpProtobuf ? endpoint.TrimEnd('/') + "/v1/traces" : endpoint);
        }

        var delay = int.TryParse(configuration["OTEL_BSP_SCHEDULE_DELAY"], out var ms) && ms > 0 ? ms : 5000;
        return new BatchActivityExportProcessor(new OtlpTraceExporter(options), scheduledDelayMilliseconds: delay);
    }

    // Library chatter stays out of the logs unless it is a warning: StackExchange.Redis connection steps, one line
    // per forwarded or outgoing request. Configuration (Logging:LogLevel:...) can still turn them up.
    private static void QuietLibraryLogs(ILoggingBuilder logging)
    {
        foreach (var category in QuietCategories)
        {
            logging.AddFilter(category, LogLevel.Warning);
        }
    }

    /// <summary>Log categories kept at Warning and above: connection chatter and per-request lines.</summary>
    public static readonly IReadOnlyList<string> QuietCategories =
    [
        "StackExchange.Redis",
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.Routing.EndpointMiddleware",
        "Yarp.ReverseProxy.Forwarder",
        "System.Net.Http.HttpClient",
        "Polly",
    ];

    // Every SdAgones histogram in seconds gets the 5 ms - 10 min buckets, even one created without the advice.
    private static ExplicitBucketHistogramConfiguration? SecondsBuckets(Instrument instrument) =>
        instrument is Histogram<double> { Unit: "s" } && instrument.Meter.Name.StartsWith("SdAgones.", StringComparison.Ordinal)
            ? new ExplicitBucketHistogramConfiguration { Boundaries = [.. SecondsHistogram.Boundaries] }
            : null;

    /// <summary>A "self" check tagged live; services add their own readiness checks beside it.</summary>
    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>Maps <c>/health</c> (ready) and <c>/alive</c> (live) in every environment: the cluster's probes use them.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthPath);
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }
}
