using System.Diagnostics.Metrics;
using System.Globalization;
using SdAgones.Gateway.Pages;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using SdAgones.Runtimes.Usage;

namespace SdAgones.Gateway.Usage;

/// <summary>
/// Refuses a runtime to a person whose GPU time quota is used up: 429 with <c>Retry-After</c> until the reset, saying
/// what they used, their limit and when it resets (a page for browsers, ProblemDetails JSON for API clients).
/// Asked only when the person has no runtime, so forwarded requests pay nothing.
/// </summary>
internal sealed class QuotaGate
{
    private readonly QuotaPolicy quotas;
    private readonly UsageLedger ledger;
    private readonly NoticeBoard notices;
    private readonly TimeProvider time;
    private static readonly TimeSpan FoldEvery = TimeSpan.FromSeconds(1);
    private readonly Counter<long> refusals;

    public QuotaGate(QuotaPolicy quotas, UsageLedger ledger, NoticeBoard notices, TimeProvider time, IMeterFactory meters)
    {
        this.quotas = quotas;
        this.ledger = ledger;
        this.notices = notices;
        this.time = time;
        refusals = meters.Create(UsageLedger.MeterName).CreateCounter<long>("sdagones.quota.refusals", "{request}",
            "Requests for a runtime refused because the person's GPU time quota is used up, by profile");
    }

    /// <summary>Answers 429 and returns true when the person is over their quota in <paramref name="profile"/>; false (nothing written) otherwise.</summary>
    public async Task<bool> RefuseAsync(HttpContext context, string user, SdAgones.Contracts.Profiles.RuntimeProfile profile)
    {
        if (!quotas.AnyQuota)
        {
            return false;
        }

        await ledger.FoldAsync(FoldEvery); // a release the cruiser has not folded yet still counts (the cruiser folds at once after a quota release)
        var status = await quotas.StatusAsync(user, profile.Slug);
        if (!status.Exceeded)
        {
            return false;
        }

        refusals.Add(1, new KeyValuePair<string, object?>("profile", profile.Slug));
        var reset = status.ResetAt!.Value;
        var retryAfter = (long)Math.Ceiling(Math.Max(1, (reset - time.GetUtcNow()).TotalSeconds));
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        var limit = status.LimitValue!.Value + status.Extension;
        var detail = $"You used {QuotaPolicy.Describe(status.Used)} of GPU time {(status.Limit == "weekly" ? "this week" : "today")}; " +
                     $"your {status.Limit} limit is {QuotaPolicy.Describe(limit)}. It resets at {reset:yyyy-MM-dd HH:mm} UTC.";
        var notice = await notices.PeekAsync(user);
        if (SdAgones.Gateway.WaitingRoom.WaitingRoom.WantsHtml(context.Request))
        {
            await PageLayout.Html(UsagePages.Refused(detail, notice, reset), StatusCodes.Status429TooManyRequests).ExecuteAsync(context);
            return true;
        }

        await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "GPU time quota used up", detail: detail,
            extensions: new Dictionary<string, object?>
            {
                ["error"] = "quota_exceeded",
                ["limit"] = status.Limit,
                ["usedSeconds"] = Math.Round(status.Used.TotalSeconds, 3),
                ["limitSeconds"] = limit.TotalSeconds,
                ["resetAt"] = reset,
                ["retryAfterSeconds"] = retryAfter,
                ["notice"] = notice,
            }).ExecuteAsync(context);
        return true;
    }
}
