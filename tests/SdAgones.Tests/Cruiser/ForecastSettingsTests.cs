using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Forecast;

namespace SdAgones.Tests.Cruiser;

/// <summary>The forecast's settings: a bad one is one line naming key, value and what is allowed; windows keep local time.</summary>
public sealed class ForecastSettingsTests
{
    private static ForecastOptions Bind(Dictionary<string, string?> values)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddArrivalForecast(); // the cruiser's registration: binding and the check
        return services.BuildServiceProvider().GetRequiredService<IOptions<ForecastOptions>>().Value;
    }

    [Fact]
    public void Bad_forecast_settings_are_one_line_each_naming_key_value_and_what_is_allowed()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new()
        {
            ["Forecast:TimeZone"] = "Berlin",
            ["Forecast:Fleets:sd-xl:MaxReplicas"] = "0",
            ["Forecast:Windows:0:Days"] = "Weekdays",
            ["Forecast:Windows:0:From"] = "10:00",
            ["Forecast:Windows:0:To"] = "08:30",
            ["Forecast:Windows:0:TimeZone"] = "Europe/Berlin",
            ["Forecast:Windows:0:Floor"] = "5",
        }));

        Assert.Equal(
            [
                "Forecast:TimeZone = \"Berlin\" is not allowed; use an IANA time zone id, e.g. Europe/Berlin or UTC",
                "Forecast:Fleets:sd-xl:MaxReplicas = \"0\" is not allowed; use a whole number of 1 or more, e.g. 10",
                "Forecast:Windows:0:Days = \"Weekdays\" is not allowed; use day names such as Mon-Fri, Sat,Sun or Mon-Fri,Sun (empty or * for every day)",
                "Forecast:Windows:0:To = \"08:30\" is not allowed; use a time after From (10:00); a window over midnight is two windows",
            ],
            error.Failures);

        // Control: the same window, well formed, is accepted.
        var good = Bind(new()
        {
            ["Forecast:TimeZone"] = "Europe/Berlin",
            ["Forecast:Windows:0:Days"] = "Mon-Fri",
            ["Forecast:Windows:0:From"] = "08:30",
            ["Forecast:Windows:0:To"] = "10:00",
            ["Forecast:Windows:0:TimeZone"] = "Europe/Berlin",
            ["Forecast:Windows:0:Floor"] = "5",
        });
        Assert.Equal(5, Assert.Single(good.Windows).Floor);
    }

    [Fact]
    public void A_window_keeps_its_local_time_across_daylight_saving()
    {
        var window = new FloorWindow(new FloorWindowOptions { Days = "Mon-Fri", From = "08:30", To = "10:00", TimeZone = "Europe/Berlin", Floor = 5 });

        // Monday 23 November 2026 (CET, UTC+1): open 07:30–09:00 UTC. Monday 1 June 2026 (CEST, UTC+2): 06:30–08:00 UTC.
        Assert.True(window.HoldsWithin(new DateTimeOffset(2026, 11, 23, 7, 30, 0, TimeSpan.Zero), TimeSpan.Zero));
        Assert.False(window.HoldsWithin(new DateTimeOffset(2026, 11, 23, 7, 29, 0, TimeSpan.Zero), TimeSpan.Zero));
        Assert.True(window.HoldsWithin(new DateTimeOffset(2026, 6, 1, 6, 30, 0, TimeSpan.Zero), TimeSpan.Zero));
        Assert.False(window.HoldsWithin(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero), TimeSpan.Zero));
        Assert.True(window.HoldsWithin(new DateTimeOffset(2026, 6, 1, 6, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(30))); // one warm-up ahead
        Assert.False(window.HoldsWithin(new DateTimeOffset(2026, 6, 6, 7, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(30))); // Saturday
    }
}
