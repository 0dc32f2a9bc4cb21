using SdAgones.Runtimes.Usage;

namespace SdAgones.Gateway.Usage;

/// <summary>The reads behind the usage API and pages: a person's figures, the admin overview, the export range.</summary>
internal sealed class UsageQueries(UsageLedger ledger, QuotaPolicy quotas, TimeProvider time)
{
    public async Task<PersonUsage> ForPersonAsync(string user)
    {
        await ledger.FoldAsync();
        var rows = await ledger.PersonAsync(user);
        return PersonUsage.From(user, await quotas.StatusAsync(user), rows);
    }

    /// <summary>The warning for pages and APIs near or at the quota; null when none applies or no quota is set.</summary>
    public async Task<string?> NoticeAsync(string user) =>
        quotas.AnyQuota ? PersonUsage.NoticeFor(await quotas.StatusAsync(user)) : null;

    public async Task<IReadOnlyList<UsageRow>> RangeAsync(DateOnly since, DateOnly until)
    {
        await ledger.FoldAsync();
        return await ledger.RangeAsync(since, until);
    }

    /// <summary>The last 14 days: top people, totals per profile and per day.</summary>
    public async Task<UsageOverview> OverviewAsync()
    {
        var today = UsageCalendar.DayOf(time.GetUtcNow());
        var since = today.AddDays(-(PersonUsage.ChartDays - 1));
        var rows = await RangeAsync(since, today);
        var people = rows.GroupBy(r => r.Person).Select(g => new UsageTotal(g.Key, g.Sum(r => r.GpuSeconds)))
            .OrderByDescending(t => t.GpuSeconds).Take(20).ToList();
        var profiles = rows.GroupBy(r => r.Profile).Select(g => new UsageTotal(g.Key, g.Sum(r => r.GpuSeconds))).OrderByDescending(t => t.GpuSeconds).ToList();
        var days = Enumerable.Range(0, PersonUsage.ChartDays).Select(i => since.AddDays(i))
            .Select(day => (day, rows.Where(r => r.Day == day).Sum(r => r.GpuSeconds))).ToList();
        return new UsageOverview(since, today, people, profiles, days);
    }
}

/// <summary>GPU-seconds of one person or profile over the overview's days.</summary>
internal sealed record UsageTotal(string Name, double GpuSeconds);

/// <summary>What <c>/_sd/admin/usage</c> shows.</summary>
internal sealed record UsageOverview(
    DateOnly Since, DateOnly Until, IReadOnlyList<UsageTotal> People, IReadOnlyList<UsageTotal> Profiles, IReadOnlyList<(DateOnly Day, double GpuSeconds)> Days);
