using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
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
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("SdAgones.*")
                .AddView(SecondsBuckets))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("SdAgones.*")
                .AddAspNetCoreInstrumentation(aspnet =>
                    aspnet.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthPath)
                        && !context.Request.Path.StartsWithSegments(AlivePath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

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
