using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SdAgones.Contracts;
using SdAgones.Contracts.Profiles;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Profiles;

namespace SdAgones.Tests.Profiles;

public sealed class ProfileCatalogTests
{
    private static RuntimeProfile T4() => new() { Slug = "t4", DisplayName = "T4 16 GB", GpuType = "nvidia-tesla-t4", WebUIFlags = "--medvram", Default = true };

    private static RuntimeProfile L4() => new()
    {
        Slug = "l4", DisplayName = "L4 24 GB", GpuType = "nvidia-l4", MachineType = "g2-standard-8",
        AllowedUsers = ["alice@example.com"], AllowedDomains = ["gpu.example.org"],
    };

    [Fact]
    public void No_profiles_configured_is_one_default_profile_on_the_fleet_of_before()
    {
        var catalog = Catalog(new Dictionary<string, string?>());

        var only = Assert.Single(catalog.All);
        Assert.Same(only, catalog.Default);
        Assert.Equal(RuntimeFleet.Name, only.FleetName);
        Assert.True(only.Allows("anyone@example.com"));
        Assert.False(catalog.HasChoice);
    }

    [Fact]
    public void A_restricted_profile_is_usable_by_its_list_and_domain_only_and_the_default_by_everyone()
    {
        var catalog = ProfileCatalog.Create([T4(), L4()], ProfileRegistration.Single(null));

        Assert.Equal(["t4", "l4"], catalog.UsableBy("Alice@Example.com").Select(p => p.Slug));
        Assert.Equal(["t4", "l4"], catalog.UsableBy("carol@gpu.example.org").Select(p => p.Slug));
        Assert.Equal(["t4"], catalog.UsableBy("bob@example.com").Select(p => p.Slug));
        Assert.Equal("t4", catalog.Default.Slug);
        Assert.Equal("sd-agones-fleet-l4", catalog.Find("l4")!.FleetName);
        Assert.Same(catalog.Find("l4"), catalog.ForFleet("sd-agones-fleet-l4"));
        Assert.Equal(24, catalog.Find("l4")!.EffectiveGpuMemoryGiB);
    }

    [Fact]
    public void The_catalog_keeps_its_own_copies_so_one_profile_never_takes_another_s_settings()
    {
        var t4 = T4();
        var catalog = ProfileCatalog.Create([t4, L4()], ProfileRegistration.Single(null));
        t4.WebUIFlags = "--lowvram";
        t4.AllowedUsers.Add("x@example.com");

        Assert.Equal("--medvram", catalog.Find("t4")!.WebUIFlags);
        Assert.True(catalog.Find("t4")!.IsOpen);
        Assert.Equal("", catalog.Find("l4")!.WebUIFlags);
    }

    [Theory]
    [InlineData("Profiles:1:Fleet is 'sd-agones-fleet-t4', which an earlier profile already uses", "Fleet", "sd-agones-fleet-t4")]
    [InlineData("Profiles:1:GpuCount is 0: allowed are 1 to 16", "GpuCount", "0")]
    [InlineData("Profiles:1:Slug is 'L4!'", "Slug", "L4!")]
    [InlineData("Profiles:1:GpuMemoryGiB is not set and the memory of 'acme-x1' is not known", "GpuType", "acme-x1")]
    public void A_bad_profile_setting_is_one_line_naming_the_key_and_value(string expected, string key, string value)
    {
        var settings = Flatten([T4(), L4()]);
        settings[$"Profiles:1:{key}"] = value;

        var problem = Assert.Single(Problems(settings));

        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void A_default_profile_with_an_allow_list_is_refused_because_others_would_have_nothing()
    {
        var settings = Flatten([T4(), L4()]);
        settings["Profiles:0:AllowedUsers:0"] = "alice@example.com";

        var problem = Assert.Single(Problems(settings));

        Assert.Contains("Profiles:0 ('t4') is the default profile", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_profiles_pass_the_same_check()
    {
        Assert.Empty(Problems(Flatten([T4(), L4()])));
        Assert.Equal(["t4", "l4"], Catalog(Flatten([T4(), L4()])).All.Select(p => p.Slug));
    }

    private static ProfileCatalog Catalog(Dictionary<string, string?> settings) => Services(settings).GetRequiredService<ProfileCatalog>();

    private static IReadOnlyList<string> Problems(Dictionary<string, string?> settings)
    {
        try
        {
            _ = Services(settings).GetRequiredService<IOptions<ProfileOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException invalid)
        {
            return [.. invalid.Failures];
        }
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        settings["Agones:ApiServer"] = "http://127.0.0.1:1";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddOptions<AgonesOptions>().Bind(configuration.GetSection(AgonesOptions.Section));
        services.AddProfiles();
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> Flatten(IReadOnlyList<RuntimeProfile> profiles)
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < profiles.Count; i++)
        {
            var p = profiles[i];
            settings[$"Profiles:{i}:Slug"] = p.Slug;
            settings[$"Profiles:{i}:DisplayName"] = p.DisplayName;
            settings[$"Profiles:{i}:GpuType"] = p.GpuType;
            settings[$"Profiles:{i}:MachineType"] = p.MachineType;
            settings[$"Profiles:{i}:WebUIFlags"] = p.WebUIFlags;
            settings[$"Profiles:{i}:Default"] = p.Default ? "true" : "false";
            for (var u = 0; u < p.AllowedUsers.Count; u++)
            {
                settings[$"Profiles:{i}:AllowedUsers:{u}"] = p.AllowedUsers[u];
            }

            for (var d = 0; d < p.AllowedDomains.Count; d++)
            {
                settings[$"Profiles:{i}:AllowedDomains:{d}"] = p.AllowedDomains[d];
            }
        }

        return settings;
    }
}
