using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using SdAgones.Cruiser;
using SdAgones.Gateway;

namespace SdAgones.Tests.Operability;

/// <summary>
/// Histograms in seconds are exported with buckets from 5 ms to 10 min, so a 0.3 s allocation lands in the
/// 0.25-0.5 s bucket and its P50 reads 0.3 s, not the ≈5 s the SDK's millisecond buckets gave.
/// </summary>
public sealed class HistogramBucketTests
{
    [Theory]
    [InlineData("sdagones.allocation.duration")]
    [InlineData("sdagones.reclaim.lag")]
    [InlineData("sdagones.cruiser.pass.duration")]
    [InlineData("sdagones.test.created_without_advice")]
    public async Task A_histogram_in_seconds_is_exported_with_buckets_from_5_ms_to_10_min(string name)
    {
        var exported = new List<MetricSnapshot>();
        var builder = Host.CreateApplicationBuilder();
        builder.ConfigureOpenTelemetry();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddInMemoryExporter(exported));
        builder.Services.AddSingleton<GatewayTelemetry>();
        builder.Services.AddSingleton<CruiserTelemetry>();
        using var host = builder.Build();
        await host.StartAsync();
        using var plainMeter = new Meter("SdAgones.Test");
        var histogram = name switch
        {
            "sdagones.allocation.duration" => host.Services.GetRequiredService<GatewayTelemetry>().AllocationDuration,
            "sdagones.reclaim.lag" => host.Services.GetRequiredService<CruiserTelemetry>().ReclaimLag,
            "sdagones.cruiser.pass.duration" => host.Services.GetRequiredService<CruiserTelemetry>().PassDuration,
            _ => plainMeter.CreateHistogram<double>(name, "s", "a histogram in seconds created without bucket advice"),
        };

        histogram.Record(0.3);
        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush());

        var metric = exported.Last(m => m.Name == name);
        Assert.Equal("s", metric.Unit);
        var point = Assert.Single(metric.MetricPoints);
        var buckets = new List<(double Bound, long Count)>();
        foreach (var bucket in point.GetHistogramBuckets())
        {
            buckets.Add((bucket.ExplicitBound, bucket.BucketCount));
        }

        Assert.Equal([.. SecondsHistogram.Boundaries, double.PositiveInfinity], buckets.Select(b => b.Bound));
        Assert.Equal(0.005, buckets[0].Bound);
        Assert.Equal(600, buckets[^2].Bound);
        Assert.Equal(0.5, buckets.Single(b => b.Count == 1).Bound);
        await host.StopAsync();
    }
}
