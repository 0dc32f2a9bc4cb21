using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using SdAgones.AppHost;

namespace SdAgones.Tests.Profiles;

/// <summary>
/// <c>dotnet run --project src/SdAgones.AppHost -- --Platform:Profiles:0:Slug=t4 …</c> gives the gateway, the cruiser and
/// LocalAgones the same profiles as <c>Profiles__N__*</c>, every field written out; with none, no service gets any; a bad
/// profile stops the AppHost naming <c>Platform:Profiles:N:Key</c>.
/// </summary>
public sealed class PlatformProfilesTests
{
    private static readonly string[] TwoProfiles =
    [
        "Platform:Profiles:0:Slug=t4", "Platform:Profiles:0:GpuType=nvidia-tesla-t4", "Platform:Profiles:0:WebUIFlags=--medvram",
        "Platform:Profiles:0:Default=true",
        "Platform:Profiles:1:Slug=l4", "Platform:Profiles:1:GpuType=nvidia-l4", "Platform:Profiles:1:MachineType=g2-standard-8",
        "Platform:Profiles:1:Spot=true", "Platform:Profiles:1:AllowedUsers:0=lena@example.com", "Platform:Profiles:1:MaxReplicas=2",
    ];

    private static Task<Dictionary<string, Dictionary<string, string>>> ProfilesOfEachServiceAsync(params string[] args) =>
        EnvironmentOfEachServiceAsync("Profiles__", args);

    private static async Task<Dictionary<string, Dictionary<string, string>>> EnvironmentOfEachServiceAsync(string prefix, string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SdAgones_AppHost>(
            ["Platform:GatewayPort=0", "Platform:LocalAgonesPort=0", .. args]);
        var found = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var service in new[] { ServiceNames.Gateway, ServiceNames.Cruiser, ServiceNames.LocalAgones })
        {
            var project = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == service);
            var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), project);
            foreach (var callback in project.Annotations.OfType<EnvironmentCallbackAnnotation>())
            {
                await callback.Callback(context);
            }

            found[service] = context.EnvironmentVariables.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(e => e.Key, e => (string)e.Value, StringComparer.Ordinal);
        }

        await builder.DisposeAsync();
        return found;
    }

    [Fact]
    public async Task Two_profiles_set_in_the_AppHost_reach_gateway_cruiser_and_LocalAgones_alike_with_every_field_and_none_when_unset()
    {
        var set = await ProfilesOfEachServiceAsync(TwoProfiles);
        var gateway = set[ServiceNames.Gateway];
        Assert.Equal("t4", gateway["Profiles__0__Slug"]);
        Assert.Equal("--medvram", gateway["Profiles__0__WebUIFlags"]);
        Assert.Equal("sd-agones-fleet-t4", gateway["Profiles__0__Fleet"]);
        Assert.Equal("l4", gateway["Profiles__1__Slug"]);
        Assert.Equal("nvidia-l4", gateway["Profiles__1__GpuType"]);
        Assert.Equal("24", gateway["Profiles__1__GpuMemoryGiB"]);
        Assert.Equal("true", gateway["Profiles__1__Spot"]);
        Assert.Equal("lena@example.com", gateway["Profiles__1__AllowedUsers__0"]);
        Assert.Equal("2", gateway["Profiles__1__MaxReplicas"]);

        // Written out, not inherited: l4's flags are empty, not t4's.
        Assert.Equal("", gateway["Profiles__1__WebUIFlags"]);
        Assert.Equal(gateway.OrderBy(e => e.Key), set[ServiceNames.Cruiser].OrderBy(e => e.Key));
        Assert.Equal(gateway.OrderBy(e => e.Key), set[ServiceNames.LocalAgones].OrderBy(e => e.Key));

        var unset = await ProfilesOfEachServiceAsync();
        Assert.All(unset.Values, Assert.Empty);
    }

    [Fact]
    public async Task The_cruiser_is_given_each_profile_Fleets_own_bounds_for_its_forecast_webhook()
    {
        var set = await EnvironmentOfEachServiceAsync("Forecast__Fleets__", [.. TwoProfiles, "Platform:Autoscaling=Forecast"]);
        var cruiser = set[ServiceNames.Cruiser];
        Assert.Equal(("1", "1", "4"), (cruiser["Forecast__Fleets__sd-agones-fleet-t4__Buffer"], cruiser["Forecast__Fleets__sd-agones-fleet-t4__MinReplicas"], cruiser["Forecast__Fleets__sd-agones-fleet-t4__MaxReplicas"]));
        Assert.Equal("2", cruiser["Forecast__Fleets__sd-agones-fleet-l4__MaxReplicas"]);
        Assert.Equal(6, cruiser.Count);
        Assert.Empty(set[ServiceNames.Gateway]);

        // Control: without profiles the one Fleet's bounds stay Forecast:Fleet:* and no per-Fleet key is written.
        var unset = await EnvironmentOfEachServiceAsync("Forecast__Fleets__", ["Platform:Autoscaling=Forecast"]);
        Assert.Empty(unset[ServiceNames.Cruiser]);
    }

    [Fact]
    public void A_bad_profile_is_named_with_its_key_and_a_good_one_passes()
    {
        var good = new ConfigurationBuilder().AddCommandLine([.. TwoProfiles.Select(a => "--" + a)]).Build();
        Assert.Empty(PlatformSettings.Read(good, out var platform));
        Assert.Equal(["t4", "l4"], platform.Profiles.Select(p => p.Slug));

        var bad = new ConfigurationBuilder().AddCommandLine([.. TwoProfiles.Select(a => "--" + a), "--Platform:Profiles:1:GpuCount=0"]).Build();
        Assert.Equal("Platform:Profiles:1:GpuCount is 0: allowed are 1 to 16 GPUs per runtime.", Assert.Single(PlatformSettings.Read(bad, out _)));
    }
}
