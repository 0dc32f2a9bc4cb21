using System.Text.Json;

namespace SdAgones.Planner.Input;

/// <summary>
/// A made-up population when no events exist yet: how many people, how often each asks for a runtime on a working
/// day, how arrivals spread over the hours of the day, and how long a runtime stays in use (log-normal). From a small
/// JSON file (<c>--profile</c>) or the command line; the same seed gives the same visits.
/// </summary>
public sealed class SyntheticProfile
{
    public int People { get; set; } = 500;

    public int Days { get; set; } = 7;

    /// <summary>Visits one person makes on a working day (Monday to Friday).</summary>
    public double VisitsPerPersonPerDay { get; set; } = 1.5;

    /// <summary>Saturdays and Sundays see this share of a working day's visits.</summary>
    public double WeekendFactor { get; set; } = 0.2;

    /// <summary>Relative arrival rate for each hour of the day (UTC), 24 values; the default is an office day.</summary>
    public double[] HourlyWeights { get; set; } =
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 2, 3, 3, 2.5, 1.5, 2.5, 3, 3, 2.5, 2, 1, 0.6, 0.4, 0.3, 0.2, 0.1];

    /// <summary>Median minutes a runtime stays in use after it is bound (the idle tail comes on top).</summary>
    public double SessionMedianMinutes { get; set; } = 30;

    /// <summary>Log-normal σ of the session length; 0 makes every session the median.</summary>
    public double SessionSpread { get; set; } = 0.8;

    /// <summary>Share of sessions the person gives back themselves instead of leaving them to the idle rule.</summary>
    public double GaveBackShare { get; set; } = 0.1;

    /// <summary>The first day (a Monday) the profile starts at, UTC midnight.</summary>
    public DateTimeOffset Start { get; set; } = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    public static SyntheticProfile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new PlannerInputException($"--profile: file '{path}' does not exist.");
        }

        try
        {
            return JsonSerializer.Deserialize<SyntheticProfile>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
                ?? throw new PlannerInputException($"--profile {path}: the file holds no profile.");
        }
        catch (JsonException ex)
        {
            throw new PlannerInputException($"--profile {path} line {(ex.LineNumber ?? 0) + 1}: {ex.Message.Split(". ")[0]}.");
        }
    }

    public void Validate()
    {
        Require(People > 0, "people", People, "a whole number > 0");
        Require(Days > 0, "days", Days, "a whole number > 0");
        Require(VisitsPerPersonPerDay > 0, "visitsPerPersonPerDay", VisitsPerPersonPerDay, "a number > 0");
        Require(WeekendFactor >= 0, "weekendFactor", WeekendFactor, "a number ≥ 0");
        Require(HourlyWeights.Length == 24 && HourlyWeights.All(w => w >= 0) && HourlyWeights.Sum() > 0,
            "hourlyWeights", HourlyWeights.Length, "24 numbers ≥ 0, not all 0");
        Require(SessionMedianMinutes > 0, "sessionMedianMinutes", SessionMedianMinutes, "a number of minutes > 0");
        Require(SessionSpread >= 0, "sessionSpread", SessionSpread, "a number ≥ 0");
        Require(GaveBackShare is >= 0 and <= 1, "gaveBackShare", GaveBackShare, "a share between 0 and 1");
    }

    private static void Require(bool ok, string name, object value, string allowed)
    {
        if (!ok)
        {
            throw new PlannerInputException($"profile '{name}' = {value}: must be {allowed}.");
        }
    }

    /// <summary>The visits of every day: a Poisson process per hour at the hour's rate, people drawn uniformly.</summary>
    public Trace Generate(int seed, string pool = "default")
    {
        Validate();
        var random = new Random(seed);
        var weightSum = HourlyWeights.Sum();
        var visits = new List<Visit>();
        for (var day = 0; day < Days; day++)
        {
            var weekday = Start.AddDays(day).DayOfWeek;
            var perDay = People * VisitsPerPersonPerDay * (weekday is DayOfWeek.Saturday or DayOfWeek.Sunday ? WeekendFactor : 1);
            for (var hour = 0; hour < 24; hour++)
            {
                var perMs = perDay * HourlyWeights[hour] / weightSum / 3_600_000;
                if (perMs <= 0)
                {
                    continue;
                }

                var hourStart = ((day * 24L) + hour) * 3_600_000;
                var t = hourStart + Exponential(random, perMs);
                while (t < hourStart + 3_600_000)
                {
                    var person = $"person-{random.Next(People):D4}";
                    var active = SessionMedianMinutes * 60_000 * Math.Exp(SessionSpread * Normal(random));
                    visits.Add(new Visit(person, pool, (long)t, (long)active, random.NextDouble() < GaveBackShare));
                    t += Exponential(random, perMs);
                }
            }
        }

        return new Trace(Start, Days * 86_400_000L, new Dictionary<string, IReadOnlyList<Visit>> { [pool] = visits }, Observed: null);
    }

    private static double Exponential(Random random, double ratePerMs) => -Math.Log(1 - random.NextDouble()) / ratePerMs;

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
