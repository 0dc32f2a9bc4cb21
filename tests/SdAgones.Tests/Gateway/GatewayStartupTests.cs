using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>A bad setting stops the gateway at start-up with a message that names the key; good settings keep it running.</summary>
public sealed class GatewayStartupTests
{
    private static Dictionary<string, string> ValidSettings() => new()
    {
        ["Identity:Mode"] = "Iap",
        ["Identity:Iap:Audience"] = "/projects/1/global/backendServices/2",
        ["ConnectionStrings:cache"] = "127.0.0.1:1",
        ["Agones:ApiServer"] = "http://127.0.0.1:1",
    };

    [Theory]
    [InlineData("Identity:Mode", "Development", "Identity:Mode")]
    [InlineData("Identity:Iap:Audience", "", "Identity:Iap:Audience")]
    [InlineData("Agones:ApiServer", "not a url", "Agones:ApiServer")]
    [InlineData("Idle:Timeout", "-00:01:00", "Idle:Timeout")]
    [InlineData("Gateway:AllowedOrigins", "sd.example.com/path", "Gateway:AllowedOrigins")]
    [InlineData("Gateway:WebSocketsPerPerson", "0", "Gateway:WebSocketsPerPerson")]
    public async Task A_bad_setting_stops_the_gateway_and_names_the_key(string key, string value, string named)
    {
        var settings = ValidSettings();
        settings[key] = value;
        await using var gateway = ServiceProcess.Start("SdAgones.Gateway", settings, environment: "Production");

        Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the gateway kept running with a bad setting");
        Assert.NotEqual(0, gateway.ExitCode);
        Assert.Contains(named, gateway.Output, StringComparison.Ordinal);
    }

    /// <summary>The positive control: the same settings with a valid value start a gateway that stays up and answers.</summary>
    [Theory]
    [InlineData("Identity:Mode", "Iap")]
    [InlineData("Idle:Timeout", "00:01:00")]
    public async Task A_valid_setting_keeps_the_gateway_running_and_answering(string key, string value)
    {
        var settings = ValidSettings();
        settings[key] = value;
        await using var gateway = ServiceProcess.Start("SdAgones.Gateway", settings, environment: "Production");

        await gateway.WaitUntilHealthyAsync();
        Assert.False(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(3)), $"the gateway exited with good settings: {gateway.Output}");
    }
}
