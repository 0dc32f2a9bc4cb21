using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Cruiser.Leadership;

/// <summary>Section <c>Lease</c>: how long the active cruiser's lease lasts without renewal.</summary>
public sealed class LeaseOptions
{
    public const string Section = "Lease";
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// One active cruiser at a time: a lease in the cache with an expiry, renewed by its holder. A dead leader's lease
/// runs out and another replica takes over within one lease period; a follower does nothing.
/// </summary>
public sealed partial class CruiserLease(LeaseStore store, IOptions<LeaseOptions> options, ILogger<CruiserLease> logger)
{
    public const string Name = "cruiser";
    private bool held;

    public string Holder { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Takes or renews the lease; false (and the caller does nothing) when another replica holds it or the cache is down.</summary>
    public async Task<bool> TryHoldAsync()
    {
        bool now;
        try
        {
            now = await store.TryHoldLeaseAsync(Name, Holder, options.Value.Duration);
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            now = false;
        }

        if (now != held)
        {
            LogLeadership(Holder, now);
        }

        held = now;
        return now;
    }

    public async Task ReleaseAsync()
    {
        if (held)
        {
            held = false;
            try
            {
                await store.ReleaseLeaseAsync(Name, Holder);
            }
            catch (Exception ex) when (CacheFault.Is(ex))
            {
                // the lease expires on its own
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cruiser {Holder} leads: {Leading}")]
    private partial void LogLeadership(string holder, bool leading);
}
