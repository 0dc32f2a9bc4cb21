using System.Collections.Concurrent;
using System.Text.Json;
using k8s;
using SdAgones.Contracts.Profiles;
using SdAgones.Gateway.Allocation;
using SdAgones.Gateway.Pages;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Gateway.WaitingRoom;

/// <summary>
/// What a person sees while they have no runtime: browsers get the waiting page (503 with Retry-After, never a raw
/// 502), API clients a JSON body; the page's SSE stream keeps asking for the runtime and reports each stage.
/// </summary>
internal sealed class WaitingRoom(
    RuntimeAllocator allocator, NoticeBoard notices, GameServerWatcher watcher, ProfileCatalog profiles, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<SdAgones.Runtimes.Usage.UsageOptions> usage, Usage.UsageQueries quotas)
{
    /// <summary>Why the line is not first come, first served when fair share is on (JSON <c>order</c> and the page).</summary>
    public const string FairShareOrder = "People who used less GPU time recently go first.";

    private const int RetryAfterSeconds = 2;
    private readonly ConcurrentDictionary<string, (DateTimeOffset Since, string Profile)> waitingSince = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> recentWaits = new(StringComparer.Ordinal); // per profile

    public static bool WantsHtml(HttpRequest request) =>
        request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>Answers a request that cannot be forwarded yet (waiting for <paramref name="profile"/>, the default when null).</summary>
    public async Task RespondAsync(HttpContext context, string user, AllocationOutcome outcome, RuntimeProfile? profile = null)
    {
        profile ??= profiles.Default;
        waitingSince.AddOrUpdate(user, (time.GetUtcNow(), profile.Slug), (_, was) => was.Profile == profile.Slug ? was : (time.GetUtcNow(), profile.Slug));
        Forwarding.GatewayRequestSpan.MarkWait(System.Diagnostics.Activity.Current);
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        if (WantsHtml(context.Request))
        {
            var notice = await PeekNoticeAsync(user);
            var waited = waitingSince.TryGetValue(user, out var since) ? time.GetUtcNow() - since.Since : TimeSpan.Zero;
            var order = usage.Value.FairShare ? FairShareOrder : null;
            await PageLayout.Html(WaitingPage.Render(user, outcome, notice, await QuotaNoticeAsync(user), order, Estimate(profile), waited,
                    profiles.HasChoice ? profile : null),
                    StatusCodes.Status503ServiceUnavailable)
                .ExecuteAsync(context);
            return;
        }

        await Results.Json(Describe(outcome, await PeekNoticeAsync(user), await QuotaNoticeAsync(user), profile), statusCode: StatusCodes.Status503ServiceUnavailable)
            .ExecuteAsync(context);
    }

    /// <summary>The waiting page's live feed: one event per change of stage or position, until the runtime (of <paramref name="profile"/>) is ready.</summary>
    public async Task StreamAsync(HttpContext context, string user, RuntimeProfile? profile = null)
    {
        profile ??= profiles.Default;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        var ct = context.RequestAborted;
        var changed = new SemaphoreSlim(0);
        void OnChange(WatchEventType _, GameServer __) => changed.Release();
        watcher.Changed += OnChange;
        try
        {
            string? last = null;
            while (!ct.IsCancellationRequested)
            {
                var outcome = await allocator.EnsureAsync(user, profile);
                if (outcome.Stage == WaitStage.Ready)
                {
                    RecordWait(user);
                    await TakeNoticeAsync(user);
                }

                var json = JsonSerializer.Serialize(Describe(outcome, await PeekNoticeAsync(user), await QuotaNoticeAsync(user), profile), JsonSerializerOptions.Web);
                if (json != last)
                {
                    await context.Response.WriteAsync($"data: {json}\n\n", ct);
                    await context.Response.Body.FlushAsync(ct);
                    last = json;
                }

                if (outcome.Stage == WaitStage.Ready)
                {
                    break;
                }

                await changed.WaitAsync(TimeSpan.FromSeconds(1), ct);
            }
        }
        catch (OperationCanceledException)
        {
            // the person left the page
        }
        finally
        {
            watcher.Changed -= OnChange;
        }
    }

    /// <summary>Called when a waiting person's request reaches their runtime: feeds the estimate of the profile they waited for.</summary>
    public void RecordWait(string user)
    {
        if (waitingSince.TryRemove(user, out var since))
        {
            var waits = recentWaits.GetOrAdd(since.Profile, _ => new ConcurrentQueue<double>());
            waits.Enqueue((time.GetUtcNow() - since.Since).TotalSeconds);
            while (waits.Count > 50 && waits.TryDequeue(out _))
            {
            }
        }
    }

    /// <summary>The current wait estimate of <paramref name="profile"/> in seconds (mean of its recent waits), or null when none was seen.</summary>
    public double? Estimate(RuntimeProfile profile) =>
        recentWaits.TryGetValue(profile.Slug, out var waits) && !waits.IsEmpty ? waits.Average() : null;

    private object Describe(AllocationOutcome outcome, string? notice, string? quotaNotice, RuntimeProfile profile) => new
    {
        profile = profile.Slug,
        error = outcome.Problem is null ? "waiting" : "unavailable",
        stage = outcome.Stage.ToString().ToLowerInvariant(),
        queuePosition = outcome.QueuePosition,
        estimateSeconds = Estimate(profile),
        detail = outcome.Problem ?? Api.NextStep.WaitingForScripts(outcome.Stage, outcome.QueuePosition, RetryAfterSeconds),
        next = Api.NextStep.Waiting(outcome.Stage, outcome.QueuePosition),
        notice,
        quotaNotice,
        order = usage.Value.FairShare ? FairShareOrder : "First come, first served.",
        retryAfterSeconds = RetryAfterSeconds,
    };

    private async Task TakeNoticeAsync(string user)
    {
        try
        {
            await notices.TakeAsync(user);
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            // the notice expires on its own
        }
    }

    /// <summary>The warning before (or at) the person's GPU time quota, as on every other page; null without a quota.</summary>
    private async Task<string?> QuotaNoticeAsync(string user)
    {
        try
        {
            return await quotas.NoticeAsync(user);
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            return null;
        }
    }

    private async Task<string?> PeekNoticeAsync(string user)
    {
        try
        {
            return await notices.PeekAsync(user);
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            return null;
        }
    }
}
