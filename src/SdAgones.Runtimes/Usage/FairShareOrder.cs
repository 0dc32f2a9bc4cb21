using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Runtimes.Usage;

/// <summary>
/// Scores a person joining the waiting line by <see cref="FairShare.Priority"/> from their usage buckets (one cache read
/// per join, whatever the length of the line); with <see cref="UsageOptions.FairShare"/> off the line stays FIFO.
/// </summary>
public sealed class FairShareOrder(UsageLedger ledger, IOptions<UsageOptions> options) : IWaitingOrder
{
    public async Task<double?> ScoreAsync(string user, DateTimeOffset arrival)
    {
        var o = options.Value;
        if (!o.FairShare)
        {
            return null;
        }

        var usage = await ledger.PersonAsync(user, includeOpen: false);
        var decayed = FairShare.DecayedUsage(usage.Select(r => (r.Day, r.GpuSeconds)), arrival, o.HalfLife);
        return FairShare.Priority(arrival, decayed, o.WeightFor(user), o.UsageScale, o.MaxWaitBehindLater);
    }
}
