using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Runtimes.Usage;

/// <summary>
/// GPU-seconds per person, profile and UTC day, folded from the session events: each <c>released</c> event that held a
/// runtime adds its held time × the profile's GPU count to the days it spans. Folding is one script per batch guarded by
/// a cursor (the last event's sequence number), so any process may fold, reruns add nothing twice, and deleting the
/// usage keys rebuilds them from the event log (<see cref="RebuildAsync"/>). Sessions still open count up to now on read.
/// </summary>
public sealed class UsageLedger : IDisposable
{
    public const string MeterName = "SdAgones.Usage";
    public const string Cursor = "sd:usage:cursor";
    public const string Index = "sd:usage:keys";
    private readonly IConnectionMultiplexer redis;
    private readonly SessionEventFold fold;
    private readonly SessionStore sessions;
    private readonly IOptions<UsageOptions> options;
    private readonly TimeProvider time;
    private readonly string fleet;
    private readonly SdAgones.Contracts.Profiles.ProfileCatalog? profiles;
    private readonly Meter meter;
    private readonly Counter<double> gpuTime;

    public UsageLedger(
        IConnectionMultiplexer redis, SessionEventLog events, SessionStore sessions, IOptions<UsageOptions> options, TimeProvider time, string fleet,
        IMeterFactory meters, SdAgones.Contracts.Profiles.ProfileCatalog? profiles = null)
    {
        this.profiles = profiles;
        this.redis = redis;
        fold = new SessionEventFold(redis, events, time, Cursor, Index);
        this.sessions = sessions;
        this.options = options;
        this.time = time;
        this.fleet = fleet;
        meter = meters.Create(MeterName);
        gpuTime = meter.CreateCounter<double>("sdagones.gpu.time", "s", "GPU time bound to people, by profile (counted when a session's release is folded)");
    }

    public static string PersonKey(string user) => "sd:usage:person:" + user;

    public static string DayKey(DateOnly day) => "sd:usage:day:" + UsageCalendar.Name(day);

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// The profile an event counts under: its profile; for events from before profiles, the profile of its Fleet, else
    /// the Fleet's name (or the ledger's own when the event names none).
    /// </summary>
    public string ProfileOf(SessionEvent e) =>
        e.Profile is { Length: > 0 } profile ? profile
        : profiles?.ForFleet(e.Fleet)?.Slug ?? (e.Fleet is { Length: > 0 } f ? f : fleet);

    /// <summary>
    /// A stored profile name as profiles name it now: usage folded before profiles existed is kept under the Fleet's
    /// name, and counts as the profile of that Fleet (so a quota keeps counting it after the upgrade).
    /// </summary>
    private string Named(string stored) => profiles?.Find(stored) is null && profiles?.ForFleet(stored) is { } p ? p.Slug : stored;

    /// <summary>GPUs per runtime of <paramref name="profile"/>: a <c>Usage:Profiles</c> override, else the profile's GpuCount, else <c>Usage:GpuCount</c>.</summary>
    public int GpusOf(string profile) =>
        options.Value.ProfileOverride(profile, profiles?.Find(profile)?.FleetName)?.GpuCount ?? profiles?.Find(profile)?.GpuCount ?? options.Value.GpuCount;

    /// <summary>
    /// As <see cref="FoldAsync()"/>, unless this process folded less than <paramref name="notWithin"/> ago: for hot paths
    /// (the gateway's quota check), so their cost stays one cursor read at most per interval, whatever the traffic.
    /// </summary>
    public Task<int> FoldAsync(TimeSpan notWithin) => fold.IsDue(notWithin) ? FoldAsync() : Task.FromResult(0);

    /// <summary>Adds every released session not yet counted; returns how many events were folded.</summary>
    public Task<int> FoldAsync() =>
        fold.FoldAsync(Increments, folded: batch =>
        {
            foreach (var row in batch.SelectMany(Rows))
            {
                gpuTime.Add(row.Seconds, new KeyValuePair<string, object?>("profile", row.Profile));
            }
        });

    /// <summary>Forgets every usage bucket and folds the whole event log again (after a loss, or to check the buckets).</summary>
    public async Task<int> RebuildAsync()
    {
        await fold.ForgetAsync();
        return await FoldAsync();
    }

    /// <summary>One person's GPU-seconds per day and profile, including their open session up to now.</summary>
    public async Task<IReadOnlyList<UsageRow>> PersonAsync(string user, bool includeOpen = true)
    {
        var rows = (await Db.HashGetAllAsync(PersonKey(user)))
            .Select(e => ((string)e.Name!).Split('|', 2) is [var day, var profile] ? new UsageRow(UsageCalendar.Parse(day), user, Named(profile), (double)e.Value) : null)
            .OfType<UsageRow>().ToList();
        if (includeOpen && await sessions.GetAsync(user) is { } open)
        {
            rows.AddRange(OpenRows(open, time.GetUtcNow()));
        }

        return Merge(rows);
    }

    /// <summary>Every person's GPU-seconds per day and profile from <paramref name="from"/> to <paramref name="to"/> (both inclusive), open sessions up to now.</summary>
    public async Task<IReadOnlyList<UsageRow>> RangeAsync(DateOnly from, DateOnly to)
    {
        var rows = new List<UsageRow>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            foreach (var entry in await Db.HashGetAllAsync(DayKey(day)))
            {
                if (((string)entry.Name!).Split('|', 2) is [var profile, var user])
                {
                    rows.Add(new UsageRow(day, user, Named(profile), (double)entry.Value));
                }
            }
        }

        var now = time.GetUtcNow();
        foreach (var view in await sessions.ListAsync())
        {
            rows.AddRange(OpenRows(view.Session, now).Where(r => r.Day >= from && r.Day <= to));
        }

        return Merge(rows);
    }

    /// <summary>The usage an open session has run up so far, split by day.</summary>
    public IEnumerable<UsageRow> OpenRows(RuntimeSession session, DateTimeOffset now)
    {
        if (session.AllocatedAt <= DateTimeOffset.UnixEpoch)
        {
            yield break;
        }

        var profile = session.Profile is { Length: > 0 } p ? p : profiles?.Default.Slug ?? fleet;
        var gpus = GpusOf(profile);
        foreach (var (day, seconds) in UsageCalendar.Split(session.AllocatedAt, now))
        {
            yield return new UsageRow(day, session.User, profile, seconds * gpus);
        }
    }

    private IEnumerable<SessionEventFold.Increment> Increments(SessionEvent e)
    {
        foreach (var (user, day, profile, seconds) in Rows(e))
        {
            yield return new(PersonKey(user), UsageCalendar.Name(day) + "|" + profile, seconds);
            yield return new(DayKey(day), profile + "|" + user, seconds);
        }
    }

    private IEnumerable<(string User, DateOnly Day, string Profile, double Seconds)> Rows(SessionEvent e)
    {
        if (e.State != SessionEvent.Name(SessionState.Released) || e.Runtime is not { Length: > 0 } || e.HeldSeconds is not > 0)
        {
            yield break;
        }

        var profile = ProfileOf(e);
        var gpus = GpusOf(profile);
        foreach (var (day, seconds) in UsageCalendar.Split(e.At - TimeSpan.FromSeconds(e.HeldSeconds.Value), e.At))
        {
            yield return (e.Person, day, profile, seconds * gpus);
        }
    }

    private static List<UsageRow> Merge(IEnumerable<UsageRow> rows) =>
        rows.GroupBy(r => (r.Day, r.Person, r.Profile))
            .Select(g => new UsageRow(g.Key.Day, g.Key.Person, g.Key.Profile, g.Sum(r => r.GpuSeconds)))
            .OrderBy(r => r.Day).ThenBy(r => r.Person, StringComparer.Ordinal).ThenBy(r => r.Profile, StringComparer.Ordinal).ToList();

    public void Dispose() => meter.Dispose();
}

/// <summary>GPU-seconds of one person in one profile on one UTC day: the unit of the export and of every usage figure.</summary>
public sealed record UsageRow(DateOnly Day, string Person, string Profile, double GpuSeconds);
