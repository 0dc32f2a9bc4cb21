using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway;

/// <summary>A bad setting stops the gateway at start-up with a message that names the key.</summary>
public sealed class GatewayStartupTests
{
    [Theory]
    [InlineData("Identity:Mode", "Development", "Identity:Mode")]
    [InlineData("Identity:Iap:Audience", "", "Identity:Iap:Audience")]
    [InlineData("Agones:ApiServer", "not a url", "Agones:ApiServer")]
    [InlineData("Idle:Timeout", "-00:01:00", "Idle:Timeout")]
    [InlineData("Gateway:AllowedOrigins", "sd.example.com/path", "Gateway:AllowedOrigins")]
    [InlineData("Gateway:WebSocketsPerPerson", "0", "Gateway:WebSocketsPerPerson")]
    public async Task A_bad_setting_stops_the_gateway_and_names_the_key(string key, string value, string named)
    {
        var settings = new Dictionary<string, string>
        {
            ["Identity:Mode"] = "Iap",
            ["Identity:Iap:Audience"] = "/projects/1/global/backendServices/2",
            ["ConnectionStrings:cache"] = "127.0.0.1:1",
            ["Agones:ApiServer"] = "http://127.0.0.1:1",
            [key] = value,
        };
        await using var gateway = ServiceProcess.Start("SdAgones.Gateway", settings, environment: "Production");

        Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the gateway kept running with a bad setting");
        Assert.NotEqual(0, gateway.ExitCode);
        Assert.Contains(named, gateway.Output, StringComparison.Ordinal);
    }
}
