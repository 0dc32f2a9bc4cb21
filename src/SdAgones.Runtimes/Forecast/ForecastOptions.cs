using System.Globalization;
using Microsoft.Extensions.Options;

namespace SdAgones.Runtimes.Forecast;

/// <summary>
/// How the cruiser warms runtimes before people arrive (section <c>Forecast</c>, docs/forecast.md): the arrival
/// forecast's parameters, the Buffer answer used while there is no history, the per-Fleet bounds and warm-up time, and
/// the operators' floor windows.
/// </summary>
public sealed class ForecastOptions
{
    public const string Section = "Forecast";

    /// <summary>The IANA time zone whose weekdays and times of day the arrivals are compared in.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>How many past days the forecast reads.</summary>
    public int LookbackDays { get; set; } = 28;

    /// <summary>A past day counts half after this many days.</summary>
    public double HalfLifeDays { get; set; } = 14;

    /// <summary>Weight of another day of the same kind (Mon–Fri, or Sat–Sun) next to the same weekday's 1.</summary>
    public double SameKindWeight { get; set; } = 0.25;

    /// <summary>Share of warm-up windows in which everyone who arrives finds a Ready runtime (Poisson quantile of the expectation).</summary>
    public double Coverage { get; set; } = 0.9;

    /// <summary>Measured warm-ups needed before they replace the <see cref="FleetForecastOptions.WarmUp"/> setting.</summary>
    public int WarmUpObservations { get; set; } = 5;

    /// <summary>The defaults of every Fleet; <see cref="Fleets"/> overrides them per Fleet name.</summary>
    public FleetForecastOptions Fleet { get; set; } = new() { Buffer = 1, MinReplicas = 0, MaxReplicas = 10, WarmUp = TimeSpan.FromMinutes(5), Floor = 0 };

    /// <summary>Per-Fleet overrides, by the Fleet's name (one Fleet per GPU profile).</summary>
    public Dictionary<string, FleetForecastOptions> Fleets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Operators' windows with a floor of Ready runtimes.</summary>
    public List<FloorWindowOptions> Windows { get; set; } = [];

    /// <summary>The settings of one Fleet: its override where set, the defaults elsewhere.</summary>
    public FleetForecast For(string fleet)
    {
        var own = Fleets.GetValueOrDefault(fleet);
        return new FleetForecast(
            own?.Buffer ?? Fleet.Buffer ?? 1,
            own?.MinReplicas ?? Fleet.MinReplicas ?? 0,
            own?.MaxReplicas ?? Fleet.MaxReplicas ?? 10,
            own?.WarmUp ?? Fleet.WarmUp ?? TimeSpan.FromMinutes(5),
            own?.Floor ?? Fleet.Floor ?? 0);
    }

    /// <summary>One line per bad key, in the shape every SdAgones service stops with.</summary>
    public IEnumerable<string> Problems()
    {
        if (FloorWindow.FindZone(TimeZone) is null)
        {
            yield return Line("TimeZone", TimeZone, "use an IANA time zone id, e.g. Europe/Berlin or UTC");
        }

        if (LookbackDays is < 1 or > 366)
        {
            yield return Line("LookbackDays", LookbackDays, "use a whole number from 1 to 366, e.g. 28");
        }

        if (!(HalfLifeDays > 0 && double.IsFinite(HalfLifeDays)))
        {
            yield return Line("HalfLifeDays", HalfLifeDays, "use a positive number of days, e.g. 14");
        }

        if (!(SameKindWeight is >= 0 and <= 1))
        {
            yield return Line("SameKindWeight", SameKindWeight, "use a number from 0 to 1, e.g. 0.25");
        }

        if (!(Coverage is > 0 and < 1))
        {
            yield return Line("Coverage", Coverage, "use a number between 0 and 1 (exclusive), e.g. 0.9");
        }

        if (WarmUpObservations < 1)
        {
            yield return Line("WarmUpObservations", WarmUpObservations, "use a whole number of 1 or more, e.g. 5");
        }

        foreach (var problem in Fleet.Problems("Fleet"))
        {
            yield return problem;
        }

        foreach (var (name, fleet) in Fleets)
        {
            foreach (var problem in fleet.Problems($"Fleets:{name}"))
            {
                yield return problem;
            }
        }

        for (var i = 0; i < Windows.Count; i++)
        {
            foreach (var problem in Windows[i].Problems($"Windows:{i}"))
            {
                yield return problem;
            }
        }

        foreach (var (name, fleet) in Fleets.Prepend(new("", Fleet)))
        {
            var effective = For(name);
            if (effective.MinReplicas > effective.MaxReplicas)
            {
                yield return Line(name.Length == 0 ? "Fleet:MaxReplicas" : $"Fleets:{name}:MaxReplicas", effective.MaxReplicas,
                    $"use at least MinReplicas ({effective.MinReplicas.ToString(CultureInfo.InvariantCulture)})");
            }
        }
    }

    internal static string Line(string key, object? value, string allowed) =>
        $"{Section}:{key} = \"{(value is TimeSpan span ? span.ToString("c", CultureInfo.InvariantCulture) : Convert.ToString(value, CultureInfo.InvariantCulture))}\" is not allowed; {allowed}";
}

/// <summary>One Fleet's settings as a webhook answer uses them.</summary>
/// <param name="Buffer">Ready runtimes kept beyond the allocated ones while there is no history (the Buffer policy's <c>bufferSize</c>).</param>
/// <param name="MinReplicas">The Buffer policy's <c>minReplicas</c>, used only while there is no history.</param>
/// <param name="MaxReplicas">The Fleet never asks for more replicas than this.</param>
/// <param name="WarmUp">How long a new GameServer takes to become Ready, until it is measured.</param>
/// <param name="Floor">Ready runtimes kept at every hour (windows may raise it).</param>
public sealed record FleetForecast(int Buffer, int MinReplicas, int MaxReplicas, TimeSpan WarmUp, int Floor);

/// <summary>What a Fleet changes from the defaults; unset keeps the default.</summary>
public sealed class FleetForecastOptions
{
    public int? Buffer { get; set; }

    public int? MinReplicas { get; set; }

    public int? MaxReplicas { get; set; }

    public TimeSpan? WarmUp { get; set; }

    public int? Floor { get; set; }

    internal IEnumerable<string> Problems(string prefix)
    {
        if (Buffer is < 0)
        {
            yield return ForecastOptions.Line(prefix + ":Buffer", Buffer, "use zero or a whole number above it, e.g. 1");
        }

        if (MinReplicas is < 0)
        {
            yield return ForecastOptions.Line(prefix + ":MinReplicas", MinReplicas, "use zero or a whole number above it, e.g. 0");
        }

        if (MaxReplicas is < 1)
        {
            yield return ForecastOptions.Line(prefix + ":MaxReplicas", MaxReplicas, "use a whole number of 1 or more, e.g. 10");
        }

        if (WarmUp is { } warmUp && (warmUp <= TimeSpan.Zero || warmUp > TimeSpan.FromHours(6)))
        {
            yield return ForecastOptions.Line(prefix + ":WarmUp", warmUp, "use a positive time span up to 06:00:00, e.g. 00:05:00");
        }

        if (Floor is < 0)
        {
            yield return ForecastOptions.Line(prefix + ":Floor", Floor, "use zero or a whole number above it, e.g. 0");
        }
    }
}

internal sealed class ForecastOptionsCheck : IValidateOptions<ForecastOptions>
{
    public ValidateOptionsResult Validate(string? name, ForecastOptions options) =>
        options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
