using Microsoft.Extensions.Configuration;
using SdAgones.Agent;

namespace SdAgones.Tests.Agent;

/// <summary>The agent refuses settings that cannot work, naming the key, instead of running half-configured.</summary>
public sealed class AgentOptionsTests
{
    private static (AgentOptions Options, string Failure) Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        var setup = new AgentOptionsSetup(configuration);
        var options = new AgentOptions();
        setup.Configure(options);
        var result = setup.Validate(null, options);
        return (options, result.Failed ? result.FailureMessage : "");
    }

    [Fact]
    public void With_nothing_set_it_talks_to_the_pods_WebUI_and_SDK_on_their_default_ports()
    {
        var (options, failure) = Read();

        Assert.Equal("", failure);
        Assert.Equal(new Uri("http://127.0.0.1:7860/"), options.WebUIUrl);
        Assert.Equal(new Uri("http://127.0.0.1:9358/"), options.SdkUrl);
        Assert.Equal("/sd_dir", options.StorageRoot);
    }

    [Theory]
    [InlineData("AGONES_SDK_HTTP_PORT", "not-a-port")]
    [InlineData("AGONES_SDK_HTTP_PORT", "70000")]
    [InlineData("WebUI:Url", "127.0.0.1:7860")]
    [InlineData("Agent:HealthInterval", "soon")]
    [InlineData("Agent:HealthInterval", "00:00:10")] // not shorter than the Fleet's health period (RuntimeHealth.PeriodSeconds)
    [InlineData("Agent:BusyPollInterval", "-00:00:01")]
    public void A_bad_setting_is_refused_with_its_key_named(string key, string value)
    {
        var (_, failure) = Read((key, value));

        Assert.Contains(key, failure, StringComparison.Ordinal);
    }
}
