using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using SdAgones.AppHost;
using SdAgones.Contracts;

namespace SdAgones.Tests.Usage;

/// <summary>
/// <c>dotnet run --project src/SdAgones.AppHost -- --Platform:DailyQuota=00:01:00</c> gives the gateway and the cruiser
/// the same daily GPU time quota (<c>Usage__DailyQuota</c>); unset, neither gets one; a bad value stops the AppHost naming the key.
/// </summary>
public sealed class PlatformDailyQuotaTests
{
    private static async Task<Dictionary<string, string?>> QuotaOfEachServiceAsync(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SdAgones_AppHost>(
            ["Platform:GatewayPort=0", "Platform:LocalAgonesPort=0", .. args]);
        var found = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var service in new[] { ServiceNames.Gateway, ServiceNames.Cruiser, ServiceNames.LocalAgones })
        {
            var project = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == service);
            var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), project);
            foreach (var callback in project.Annotations.OfType<EnvironmentCallbackAnnotation>())
            {
                await callback.Callback(context);
            }

            found[service] = context.EnvironmentVariables.GetValueOrDefault(SettingKeys.EnvironmentName(SettingKeys.UsageDailyQuota)) as string;
        }

        await builder.DisposeAsync();
        return found;
    }

    [Fact]
    public async Task A_daily_quota_set_in_the_AppHost_reaches_gateway_and_cruiser_and_none_reaches_them_when_unset()
    {
        var set = await QuotaOfEachServiceAsync("Platform:DailyQuota=00:01:00");
        Assert.Equal("00:01:00", set[ServiceNames.Gateway]);
        Assert.Equal("00:01:00", set[ServiceNames.Cruiser]);
        Assert.Null(set[ServiceNames.LocalAgones]);

        var unset = await QuotaOfEachServiceAsync();
        Assert.All(unset.Values, Assert.Null);
    }

    [Theory]
    [InlineData("00:00:00", "Platform:DailyQuota = \"00:00:00\" is not allowed; use a positive time span, e.g. 02:00:00, or leave it unset for no quota")]
    [InlineData("banana", "Platform:DailyQuota = \"banana\" is not a time span")]
    public void A_bad_daily_quota_is_named_with_what_is_allowed(string value, string line)
    {
        var good = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Platform:DailyQuota"] = "00:01:00" }).Build();
        Assert.Empty(PlatformSettings.Read(good, out var platform));
        Assert.Equal(TimeSpan.FromMinutes(1), platform.DailyQuota);

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Platform:DailyQuota"] = value }).Build();
        Assert.StartsWith(line, Assert.Single(PlatformSettings.Read(bad, out _)), StringComparison.Ordinal);
    }
}
