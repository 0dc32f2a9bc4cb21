using Microsoft.Extensions.Configuration;
using SdAgones.AppHost;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Operability;

/// <summary>
/// A bad setting stops every SdAgones process with one plain line (key, value, what is allowed, an example) and
/// exit code 1, not a stack trace; the same processes with good settings start.
/// </summary>
public sealed class SettingsErrorTests
{
    public static TheoryData<string, string, string, string> BadSettings => new()
    {
        { "SdAgones.AppHost", "Platform:IdleTimeout", "banana", "Platform:IdleTimeout = \"banana\" is not a time span; use hh:mm:ss, e.g. 00:15:00" },
        { "SdAgones.AppHost", "Platform:Cache", "Redis", "Platform:Cache = \"Redis\" is not allowed; use one of Garnet, External" },
        { "SdAgones.AppHost", "Platform:Identity", "Okta", "Platform:Identity = \"Okta\" is not allowed; use one of Development, Iap" },
        { "SdAgones.AppHost", "Platform:GatewayReplicas", "9", "Platform:GatewayReplicas = \"9\" is out of range; use 1 to 8, e.g. 1" },
        { "SdAgones.Gateway", "Idle:Timeout", "banana", "Idle:Timeout = \"banana\" is not a time span; use hh:mm:ss, e.g. 00:15:00" },
        { "SdAgones.Gateway", "Storage:Root", "outputs", "Storage:Root = \"outputs\" is not allowed; use the shared volume's absolute folder path, e.g. /sd_dir" },
        { "SdAgones.Gateway", "Allocation:ContentionRetries", "11", "Allocation:ContentionRetries = \"11\" is not allowed; use 0 to 10, e.g. 3" },
        { "SdAgones.Gateway", "OTEL_EXPORTER_OTLP_ENDPOINT", "banana", "OTEL_EXPORTER_OTLP_ENDPOINT = \"banana\" is not allowed; use the collector's http(s) URL, e.g. http://localhost:4317" },
        { "SdAgones.Cruiser", "TIME_INTERVAL", "banana", "TIME_INTERVAL = \"banana\" is not allowed; use a positive whole number of seconds, e.g. 900" },
        { "SdAgones.Agent", "Storage:Workspace", "", "Storage:Workspace = \"\" is not a folder path; e.g. /workspace" },
        { "SdAgones.Gateway", "Gateway:WebSocketsPerPerson", "0", "Gateway:WebSocketsPerPerson = \"0\" is out of range; use 1 to 10000, e.g. 32" },
        { "SdAgones.Gateway", "Identity:Iap:ClockSkew", "00:05:00", "Identity:Iap:ClockSkew = \"00:05:00\" is not allowed; use 00:00:00 to 00:01:00, e.g. 00:00:30" },
        { "SdAgones.Cruiser", "Sessions:EventLogLength", "5", "Sessions:EventLogLength = \"5\" is out of range; use 100 to 10000000, e.g. 100000" },
        { "SdAgones.Gateway", "Gateway:ForwardedTraceSampling", "2", "Gateway:ForwardedTraceSampling = \"2\" is not allowed; use a share from 0 to 1, e.g. 0.1" },
        { "SdAgones.Gateway", "Gateway:PrivateHeaderScan", "All", "Gateway:PrivateHeaderScan = \"All\" is not allowed; use one of Incoming, Outgoing" },
        { "SdAgones.LocalAgones", "Fleet:RuntimeHosting", "Container", "Fleet:RuntimeHosting = \"Container\" is not allowed; use one of Process, InProcess" },
        { "SdAgones.Cruiser", "Reconcile:Interval", "00:00:00", "Reconcile:Interval = \"00:00:00\" is not allowed; use a positive time span, e.g. 00:00:30" },
        { "SdAgones.Gateway", "Usage:DailyQuota", "-00:10:00", "Usage:DailyQuota = \"-00:10:00\" is not allowed; use a positive time span, e.g. 02:00:00, or leave it empty for no limit" },
        { "SdAgones.Gateway", "Usage:WeeklyQuota", "banana", "Usage:WeeklyQuota = \"banana\" is not a time span; use hh:mm:ss, e.g. 00:15:00" },
        { "SdAgones.Cruiser", "Usage:HalfLife", "00:00:00", "Usage:HalfLife = \"00:00:00\" is not allowed; use a positive time span, e.g. 7.00:00:00" },
        { "SdAgones.Cruiser", "Usage:Domains:example.com:Weight", "0", "Usage:Domains:example.com:Weight = \"0\" is not allowed; use a positive number, e.g. 2 (usage counts half)" },
        { "SdAgones.LocalAgones", "Fleet:Autoscaling", "Forecast", "Fleet:Autoscaling = \"Forecast\" is not allowed; use one of Buffer, Webhook" },
        { "SdAgones.LocalAgones", "Fleet:BufferSize", "5000", "Fleet:BufferSize = \"5000\" is out of range; use 0 to 1000, e.g. 1" },
        { "SdAgones.WebUI", "WebUI:StepDelay", "00:05:00", "WebUI:StepDelay = \"00:05:00\" is not allowed; use 00:00:00 to 00:01:00, e.g. 00:00:00.050" },
        { "SdAgones.Agent", "Agent:HealthInterval", "banana", "Agent:HealthInterval = \"banana\" is not a positive time span; use hh:mm:ss, e.g. 00:00:02" },
        { "SdAgones.LocalIap", "LocalIap:Upstream", "gateway", "LocalIap:Upstream = \"gateway\" is not allowed; use the gateway's absolute http(s) URL, e.g. http://127.0.0.1:5100" },
        { "SdAgones.CacheServer", "Cache:Port", "70000", "Cache:Port = \"70000\" is out of range; use 1 to 65535, e.g. 6379" },
    };

    public static TheoryData<string> Services => new()
    {
        "SdAgones.Gateway", "SdAgones.Cruiser", "SdAgones.LocalAgones", "SdAgones.WebUI", "SdAgones.Agent", "SdAgones.CacheServer", "SdAgones.LocalIap",
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_stops_the_process_with_one_line_naming_key_value_and_what_is_allowed(
        string project, string key, string value, string expectedLine)
    {
        var settings = GoodSettings(project);
        settings[key] = value;
        await using var process = ServiceProcess.Start(project, settings);

        Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"{project} kept running with {key}={value}: {process.Output}");
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
        Assert.Equal(expectedLine, process.Output.Trim());
        Assert.Equal(1, process.ExitCode);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task The_same_process_with_good_settings_starts(string project)
    {
        var settings = GoodSettings(project);
        settings["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information";
        await using var process = ServiceProcess.Start(project, settings);

        await Eventually.HoldsAsync(
            () => Task.FromResult(!process.HasExited && process.Output.Contains("Application started", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), $"{project} to start");
        Assert.DoesNotContain(" = \"", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_platform_settings_read_a_good_value_and_name_every_bad_key()
    {
        var good = Configuration(new() { ["Platform:IdleTimeout"] = "00:00:20", ["Platform:Cache"] = "External" });
        Assert.Empty(PlatformSettings.Read(good, out var platform));
        Assert.Equal(TimeSpan.FromSeconds(20), platform.IdleTimeout);
        Assert.Equal(CacheMode.External, platform.Cache);

        var bad = Configuration(new() { ["Platform:IdleTimeout"] = "banana", ["Platform:Cache"] = "Redis", ["Platform:FleetBuffer"] = "-1", ["Platform:Identity"] = "7" });
        Assert.Equal(
            [
                "Platform:Cache = \"Redis\" is not allowed; use one of Garnet, External",
                "Platform:IdleTimeout = \"banana\" is not a time span; use hh:mm:ss, e.g. 00:15:00",
                "Platform:FleetBuffer = \"-1\" is out of range; use 0 to 1000, e.g. 1",
                "Platform:Identity = \"7\" is not allowed; use one of Development, Iap",
            ],
            PlatformSettings.Read(bad, out _));
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static Dictionary<string, string> GoodSettings(string project) => project switch
    {
        "SdAgones.Gateway" => new()
        {
            ["Identity:Mode"] = "Iap",
            ["Identity:Iap:Audience"] = "/projects/1/global/backendServices/2",
            ["ConnectionStrings:cache"] = "127.0.0.1:1",
            ["Agones:ApiServer"] = "http://127.0.0.1:1",
            ["Storage:Root"] = TempFolder(),
        },
        "SdAgones.Cruiser" => new() { ["ConnectionStrings:cache"] = "127.0.0.1:1", ["Agones:ApiServer"] = "http://127.0.0.1:1" },
        "SdAgones.LocalAgones" => new() { ["Fleet:BufferSize"] = "0", ["Fleet:MinReplicas"] = "0", ["Fleet:StorageRoot"] = TempFolder() },
        "SdAgones.WebUI" => new() { ["WebUI:DataRoot"] = TempFolder() },
        "SdAgones.Agent" => new() { ["Storage:Root"] = TempFolder(), ["WebUI:Url"] = "http://127.0.0.1:1/", ["AGONES_SDK_HTTP_PORT"] = "1" },
        "SdAgones.CacheServer" => new() { ["Cache:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) },
        "SdAgones.LocalIap" => new() { ["LocalIap:Upstream"] = "http://127.0.0.1:1", ["LocalIap:Audience"] = "/projects/1/global/backendServices/2" },
        _ => [],
    };

    private static string TempFolder() => Directory.CreateTempSubdirectory("sdagones-settings-").FullName;
}
