using SdAgones.Runtimes.Sessions;
using SdAgones.Runtimes.Usage;

namespace SdAgones.Cruiser;

/// <summary>
/// Each pass folds the session events into the usage buckets, then gives back the runtime of everyone at their quota
/// (reason <see cref="ReleaseReason.Quota"/>). The cruiser does it, not the gateway: only the lease holder runs it, once
/// per <c>Idle:CheckInterval</c> (which bounds how far past the quota a session may run), and forwarded requests pay nothing.
/// </summary>
public sealed partial class QuotaKeeper(
    UsageLedger ledger, QuotaPolicy quotas, SessionStore store, SessionLifecycle lifecycle, ILogger<QuotaKeeper> logger)
{
    /// <summary>One pass; returns how many runtimes were given back for quota.</summary>
    public async Task<int> RunPassAsync(CancellationToken ct)
    {
        using var activity = CruiserTelemetry.Source.StartActivity("quota.pass");
        await ledger.FoldAsync();
        if (!quotas.AnyQuota)
        {
            return 0;
        }

        var released = 0;
        foreach (var view in await store.ListAsync())
        {
            var status = await quotas.StatusAsync(view.Session.User);
            if (status.Exceeded && await lifecycle.ReleaseAsync(view.Session, ReleaseReason.Quota, ct))
            {
                released++;
                LogQuotaReached(view.Session.User, view.Session.Runtime, status.Used.TotalSeconds, status.LimitValue?.TotalSeconds ?? 0);
            }
        }

        if (released > 0)
        {
            await ledger.FoldAsync(); // the releases count at once, so the gateway refuses the next request
        }

        activity?.SetTag("released", released);
        return released;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quota reached: gave back {Runtime} of {User} after {UsedSeconds:F0} s (limit {LimitSeconds:F0} s)")]
    private partial void LogQuotaReached(string user, string runtime, double usedSeconds, double limitSeconds);
}
