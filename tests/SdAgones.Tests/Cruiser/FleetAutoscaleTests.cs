using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SdAgones.Cruiser.Autoscaling;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Forecast;

namespace SdAgones.Tests.Cruiser;

/// <summary>
/// The cruiser's answer to Agones' Webhook FleetAutoscaler, posted over real HTTP, with arrivals written through the
/// real waiting line into embedded Garnet on fake time: Buffer without history, warm ahead of a learned peak, the
/// operators' floor windows, the bounds, and bad bodies.
/// </summary>
public sealed class FleetAutoscaleTests
{
    // Monday 2 November 2026; three weeks of history, then Monday 23 November is forecast.
    private static readonly DateTimeOffset FirstMonday = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ForecastMonday = FirstMonday.AddDays(21);

    private static Dictionary<string, string?> Settings(int max = 20, string warmUp = "00:30:00") => new()
    {
        ["Forecast:Fleet:Buffer"] = "1",
        ["Forecast:Fleet:MaxReplicas"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Forecast:Fleet:WarmUp"] = warmUp,
    };

    /// <summary>Three weeks of weekday mornings: 4 people in each quarter hour from 08:30 to 09:30 UTC, nobody else.</summary>
    private static async Task LearnMorningPeakAsync(ForecastWorld world)
    {
        for (var day = 0; day < 19; day++)
        {
            var date = FirstMonday.AddDays(day);
            if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            for (var quarter = 0; quarter < 4; quarter++)
            {
                await world.ArriveAsync(date.AddHours(8.5).AddMinutes(15 * quarter + 1), 4, $"d{day}q{quarter}");
            }
        }

        await world.History.FoldAsync();
    }

    [Fact]
    public async Task With_no_history_the_answer_is_the_Buffer_policy_s()
    {
        await using var world = await ForecastWorld.StartAsync(ForecastMonday, new Dictionary<string, string?>
        {
            ["Forecast:Fleet:Buffer"] = "2",
            ["Forecast:Fleet:MinReplicas"] = "4",
            ["Forecast:Fleet:MaxReplicas"] = "10",
        });

        // Agones' Buffer policy: allocated + bufferSize, within [minReplicas, maxReplicas].
        Assert.Equal(5, await world.ReplicasAtAsync(ForecastMonday.AddHours(3), allocated: 3));
        Assert.Equal(4, await world.ReplicasAtAsync(ForecastMonday.AddHours(3), allocated: 0));
        Assert.Equal(10, await world.ReplicasAtAsync(ForecastMonday.AddHours(9), allocated: 9));
        Assert.Equal(2 + 2, await world.ReplicasAtAsync(ForecastMonday.AddHours(8.5), allocated: 2, fleet: "sd-agones-xl")); // any Fleet
    }

    [Fact]
    public async Task A_learned_morning_peak_raises_replicas_one_warm_up_ahead_of_it_and_not_at_night()
    {
        await using var world = await ForecastWorld.StartAsync(FirstMonday, Settings());
        await LearnMorningPeakAsync(world);

        // Warm-up 30 min, peak from 08:30: at 08:00 the quarter before the peak carries ¼ of its first bucket (λ = 1),
        // and 2 Ready cover 90 % of Poisson(1); at 08:30 λ = 3 + 4 = 7 and the 90 % quantile of Poisson(7) is 10.
        Assert.Equal(2, await world.ReplicasAtAsync(ForecastMonday.AddHours(3), allocated: 2)); // night: nobody warm (Buffer would keep 3)
        Assert.Equal(2, await world.ReplicasAtAsync(ForecastMonday.AddHours(7.75), allocated: 2)); // more than a warm-up (and a bucket) ahead
        Assert.Equal(4, await world.ReplicasAtAsync(ForecastMonday.AddHours(8), allocated: 2)); // one warm-up ahead
        Assert.Equal(12, await world.ReplicasAtAsync(ForecastMonday.AddHours(8.5), allocated: 2));
        Assert.Equal(2, await world.ReplicasAtAsync(ForecastMonday.AddHours(11), allocated: 2)); // after the peak

        // Saturday morning: the weekends of the three weeks were empty, and weekdays do not count for weekends.
        Assert.Equal(2, await world.ReplicasAtAsync(ForecastMonday.AddDays(-2).AddHours(8.5), allocated: 2));
    }

    [Fact]
    public async Task People_waiting_in_the_Fleet_s_line_are_added_to_the_forecast()
    {
        await using var world = await ForecastWorld.StartAsync(FirstMonday, Settings());
        await LearnMorningPeakAsync(world);
        world.Time.SetUtcNow(ForecastMonday.AddHours(3));
        await world.Line.JoinQueueAsync("early-bird@example.com");
        await world.Line.JoinQueueAsync("night-owl@example.com");

        Assert.Equal(2 + 2, await world.ReplicasAtAsync(ForecastMonday.AddHours(3), allocated: 2));
    }

    [Fact]
    public async Task The_answer_never_asks_for_fewer_replicas_than_are_allocated()
    {
        await using var world = await ForecastWorld.StartAsync(FirstMonday, Settings(max: 10));
        Assert.Equal(15, await world.ReplicasAtAsync(FirstMonday.AddHours(3), allocated: 15)); // Buffer answer, over max
        await LearnMorningPeakAsync(world);

        Assert.Equal(15, await world.ReplicasAtAsync(ForecastMonday.AddHours(3), allocated: 15)); // forecast answer, over max
        Assert.Equal(7, await world.ReplicasAtAsync(ForecastMonday.AddHours(3), allocated: 7, replicas: 12)); // control: a scale down to the allocated
    }

    [Fact]
    public async Task The_answer_never_asks_for_more_than_the_Fleet_s_max()
    {
        await using var world = await ForecastWorld.StartAsync(FirstMonday, Settings(max: 5));
        await LearnMorningPeakAsync(world);

        Assert.Equal(5, await world.ReplicasAtAsync(ForecastMonday.AddHours(8.5), allocated: 2)); // the peak wants 12
        Assert.Equal(4, await world.ReplicasAtAsync(ForecastMonday.AddHours(8), allocated: 2)); // control: below the max, the forecast stands
    }

    [Fact]
    public async Task An_operator_s_window_holds_its_floor_from_one_warm_up_before_it_opens_in_its_own_time_zone()
    {
        var settings = Settings();
        settings["Forecast:Windows:0:Days"] = "Mon-Fri";
        settings["Forecast:Windows:0:From"] = "08:30";
        settings["Forecast:Windows:0:To"] = "10:00";
        settings["Forecast:Windows:0:TimeZone"] = "Europe/Berlin";
        settings["Forecast:Windows:0:Floor"] = "5";
        await using var world = await ForecastWorld.StartAsync(ForecastMonday, settings);

        // November: Berlin is UTC+1, so the window is 07:30–09:00 UTC and its floor holds from 07:00 UTC (warm-up 30 min).
        Assert.Equal(3, await world.ReplicasAtAsync(ForecastMonday.AddHours(6).AddMinutes(59), allocated: 2)); // Buffer 1
        Assert.Equal(7, await world.ReplicasAtAsync(ForecastMonday.AddHours(7), allocated: 2));
        Assert.Equal(7, await world.ReplicasAtAsync(ForecastMonday.AddHours(8.99), allocated: 2));
        Assert.Equal(3, await world.ReplicasAtAsync(ForecastMonday.AddHours(9), allocated: 2)); // closed at 10:00 Berlin
        Assert.Equal(3, await world.ReplicasAtAsync(ForecastMonday.AddDays(-2).AddHours(8), allocated: 2)); // Saturday
    }

    [Fact]
    public async Task Measured_warm_ups_replace_the_setting_once_five_are_known()
    {
        await using var world = await ForecastWorld.StartAsync(FirstMonday, Settings());
        await LearnMorningPeakAsync(world);
        var warmUps = world.Services.GetRequiredService<WarmUpHistory>();
        for (var i = 0; i < 4; i++)
        {
            await warmUps.NoteAsync(ForecastWorld.Fleet, $"gs-{i}", ForecastMonday, ForecastMonday.AddMinutes(60));
        }

        // 07:35 with the setting's 30 min looks only to 08:05: nothing expected yet.
        Assert.Equal(2, await world.ReplicasAtAsync(ForecastMonday.AddHours(7).AddMinutes(35), allocated: 2));

        await warmUps.NoteAsync(ForecastWorld.Fleet, "gs-4", ForecastMonday, ForecastMonday.AddMinutes(60));
        Assert.False(await warmUps.NoteAsync(ForecastWorld.Fleet, "gs-4", ForecastMonday, ForecastMonday.AddMinutes(1))); // noted once

        // With a measured hour it looks to 08:35 and warms for the peak.
        Assert.Equal(TimeSpan.FromMinutes(60), await warmUps.MeasuredAsync(ForecastWorld.Fleet, 5));
        Assert.True(await world.ReplicasAtAsync(ForecastMonday.AddHours(7).AddMinutes(35), allocated: 2) > 2);
    }

    [Fact]
    public async Task The_warm_up_meter_measures_GameServers_it_saw_turn_Ready_and_no_others()
    {
        await using var world = await ForecastWorld.StartAsync(ForecastMonday, Settings());
        var history = world.Services.GetRequiredService<WarmUpHistory>();
        var agones = world.Services.GetRequiredService<AgonesClient>();
        var meter = new WarmUpMeter(new GameServerWatcher(agones, world.Services.GetRequiredService<SdAgones.Contracts.Profiles.ProfileCatalog>(), world.Time, NullLogger<GameServerWatcher>.Instance), history, agones, world.Time,
            NullLogger<WarmUpMeter>.Instance);
        var created = ForecastMonday.AddHours(9);

        world.Time.SetUtcNow(created.AddSeconds(5));
        await meter.Observe(WatchEventType.Added, Server("gs-warm", GameServerState.Scheduled, created));
        await meter.Observe(WatchEventType.Added, Server("gs-known", GameServerState.Ready, created.AddSeconds(-600))); // first seen Ready
        world.Time.SetUtcNow(created.AddSeconds(95));
        await meter.Observe(WatchEventType.Modified, Server("gs-warm", GameServerState.Ready, created));
        await meter.Observe(WatchEventType.Modified, Server("gs-known", GameServerState.Allocated, created.AddSeconds(-600)));

        Assert.Equal(TimeSpan.FromSeconds(95), await history.MeasuredAsync(ForecastWorld.Fleet, 1));
        Assert.Null(await history.MeasuredAsync(ForecastWorld.Fleet, 2)); // gs-known was not measured
    }

    [Fact]
    public async Task A_body_that_is_not_a_review_gets_400_saying_what_is_wrong()
    {
        await using var world = await ForecastWorld.StartAsync(ForecastMonday, Settings());

        var notJson = await world.Http.PostAsync(FleetAutoscaleApi.Path, new StringContent("replicas please", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("not a FleetAutoscaleReview (JSON)", await notJson.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var noRequest = await world.Http.PostAsJsonAsync(FleetAutoscaleApi.Path, new { });
        Assert.Equal(HttpStatusCode.BadRequest, noRequest.StatusCode);
        Assert.Contains("has no \"request\"", (await noRequest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        var noStatus = await world.Http.PostAsJsonAsync(FleetAutoscaleApi.Path, new { request = new { uid = "u1", name = ForecastWorld.Fleet } });
        Assert.Equal(HttpStatusCode.BadRequest, noStatus.StatusCode);
        Assert.Contains("request.status (the Fleet's status) is missing", await noStatus.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Control: the same endpoint answers a well-formed review, with the request's uid.
        var good = await world.Http.PostAsJsonAsync(FleetAutoscaleApi.Path, ForecastWorld.Review(ForecastWorld.Fleet, allocated: 1, replicas: 2, uid: "u2"));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using var answer = JsonDocument.Parse(await good.Content.ReadAsStringAsync());
        var response = answer.RootElement.GetProperty("response");
        Assert.Equal("u2", response.GetProperty("uid").GetString());
        Assert.True(response.GetProperty("scale").GetBoolean());
        Assert.Equal(2, response.GetProperty("replicas").GetInt32());
    }

    private static GameServer Server(string name, GameServerState state, DateTimeOffset created) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            CreationTimestamp = created.UtcDateTime,
            Labels = new Dictionary<string, string> { [AgonesApi.FleetLabel] = ForecastWorld.Fleet },
        },
        Status = new GameServerStatus { State = state },
    };
}
