using SdAgones.Runtimes.Sessions;

namespace SdAgones.Planner.Simulation;

/// <summary>
/// When the cruiser gives a runtime back, by the product's rule: every <see cref="IdleOptions.CheckInterval"/> a pass
/// (<c>IdleReaper.RunPassAsync</c>) reclaims sessions whose last activity is at or before <c>now − Idle:Timeout</c>
/// (the release script in <c>SessionStore</c> keeps a session only when last-seen &gt; the deadline). The rule lives in
/// a Lua script, so the planner states it here once and takes the timeout and interval as the product's <see cref="IdleOptions"/>.
/// Passes run at whole multiples of the interval from the trace's origin.
/// </summary>
public static class IdleRule
{
    public static long ReclaimAtMs(long lastActiveMs, IdleOptions idle)
    {
        var due = lastActiveMs + (long)idle.Timeout.TotalMilliseconds;
        var every = (long)idle.CheckInterval.TotalMilliseconds;
        return (due + every - 1) / every * every;
    }
}
