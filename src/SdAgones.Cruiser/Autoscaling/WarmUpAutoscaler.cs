using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Forecast;
using SdAgones.Runtimes.Profiles;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Cruiser.Autoscaling;

/// <summary>
/// How many replicas a Fleet should have now, so that runtimes are Ready before people arrive (docs/forecast.md):
/// allocated + max(floor, the Ready runtimes the expected arrivals within the warm-up need + people waiting), capped at
/// the Fleet's max and never below allocated. Without history it answers exactly as Agones' Buffer policy. It reads
/// only the cache (arrival counts, measured warm-ups, the waiting line), so every cruiser replica gives the same answer.
/// </summary>
public sealed class WarmUpAutoscaler(
    ArrivalForecast forecast, WarmUpHistory warmUps, ProfileLines lines, IOptions<ForecastOptions> options, TimeProvider time)
{
    /// <summary>How the answer came about, for the log line and the tests.</summary>
    public sealed record Decision(int Replicas, string Basis, double? ExpectedArrivals, TimeSpan WarmUp, int Floor, long Waiting);

    public async Task<Decision> DecideAsync(string fleet, FleetStatus status)
    {
        var settings = options.Value;
        var own = settings.For(fleet);
        var now = time.GetUtcNow();
        var warmUp = await warmUps.MeasuredAsync(fleet, settings.WarmUpObservations) ?? own.WarmUp;
        var floor = settings.Windows.Select(w => new FloorWindow(w)).Where(w => w.AppliesTo(fleet) && w.HoldsWithin(now, warmUp))
            .Select(w => w.Floor).Append(own.Floor).Max();
        var allocated = status.AllocatedReplicas;

        if (await forecast.ExpectedAsync(fleet, now, warmUp) is not { } expected)
        {
            // Agones' Buffer policy (pkg/fleetautoscalers/fleetautoscalers.go, applyBufferPolicy): allocated + bufferSize within [min, max].
            var buffer = Math.Clamp(allocated + own.Buffer, own.MinReplicas, own.MaxReplicas);
            var raised = floor > 0 ? Math.Max(buffer, Math.Min(allocated + floor, own.MaxReplicas)) : buffer;
            return new Decision(Math.Max(raised, allocated), "buffer", null, warmUp, floor, 0);
        }

        // The people waiting in the line of the profile whose Fleet this is (each profile has its own line and Fleet).
        var waiting = lines.Profiles.ForFleet(fleet) is { } profile ? await lines.For(profile).CountAsync() : 0;
        var ready = Math.Max(floor, ArrivalForecast.ReadyFor(expected, settings.Coverage) + (int)Math.Min(waiting, int.MaxValue / 2));
        var replicas = Math.Max(allocated, (int)Math.Min((long)allocated + ready, own.MaxReplicas));
        return new Decision(replicas, "forecast", expected, warmUp, floor, waiting);
    }
}
