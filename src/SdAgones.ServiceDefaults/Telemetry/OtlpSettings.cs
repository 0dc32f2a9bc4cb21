using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The OpenTelemetry exporter's own settings (<c>OTEL_EXPORTER_OTLP_*</c>, <c>OTEL_BSP_SCHEDULE_DELAY</c>), checked at
/// start-up with the service's other settings: the exporter reads them only once the host runs, where a bad value
/// would end the process with a stack trace instead of one line.
/// </summary>
public sealed class OtlpSettings
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ProtocolKey = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public const string ScheduleDelayKey = "OTEL_BSP_SCHEDULE_DELAY";

    public string? Endpoint { get; set; }
    public string? Protocol { get; set; }
    public string? ScheduleDelay { get; set; }

    /// <summary>Reads the three keys from configuration (environment or command line) and checks them on start.</summary>
    public static void AddCheck(IServiceCollection services) =>
        services.AddOptions<OtlpSettings>()
            .Configure<IConfiguration>((o, configuration) =>
            {
                o.Endpoint = configuration[EndpointKey];
                o.Protocol = configuration[ProtocolKey];
                o.ScheduleDelay = configuration[ScheduleDelayKey];
            })
            .ValidateSetting(EndpointKey, o => o.Endpoint,
                o => string.IsNullOrWhiteSpace(o.Endpoint) || (Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"),
                "use the collector's http(s) URL, e.g. http://localhost:4317")
            .ValidateSetting(ProtocolKey, o => o.Protocol, o => o.Protocol is null or "" or "grpc" or "http/protobuf",
                "use grpc or http/protobuf, e.g. grpc")
            .ValidateSetting(ScheduleDelayKey, o => o.ScheduleDelay,
                o => string.IsNullOrEmpty(o.ScheduleDelay) || (int.TryParse(o.ScheduleDelay, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0),
                "use a positive whole number of milliseconds, e.g. 5000")
            .ValidateOnStart();
}
