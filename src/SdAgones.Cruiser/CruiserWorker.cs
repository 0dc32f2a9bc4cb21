using Microsoft.Extensions.Options;
using SdAgones.Cruiser.Idle;
using SdAgones.Cruiser.Leadership;
using SdAgones.Cruiser.Reconciliation;
using SdAgones.Runtimes.Forecast;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Cruiser;

/// <summary>
/// The cruiser's loop: hold the lease, then run an idle pass and a quota pass every <c>Idle:CheckInterval</c>, fold new arrivals
/// into the forecast's history and reconcile every <c>Reconcile:Interval</c>. A failed pass is logged and retried on the next tick; it never stops the loop.
/// </summary>
public sealed partial class CruiserWorker(
    CruiserLease lease,
    IdleReaper reaper,
    QuotaKeeper quotas,
    Reconciler reconciler,
    SdAgones.Runtimes.Profiles.ProfileLines lines,
    ArrivalHistory arrivals,
    CruiserTelemetry telemetry,
    IOptions<IdleOptions> idle,
    IOptions<ReconcileOptions> reconcile,
    TimeProvider time,
    ILogger<CruiserWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextReconcile = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(idle.Value.CheckInterval, time);
        try
        {
            do
            {
                try
                {
                    if (!await lease.TryHoldAsync())
                    {
                        telemetry.RecordQueueLength(null); // a follower reports nothing, so the line is counted once
                        continue;
                    }

                    if (time.GetUtcNow() >= nextReconcile)
                    {
                        await reconciler.RunAsync(stoppingToken);
                        nextReconcile = time.GetUtcNow() + reconcile.Value.Interval;
                    }

                    await reaper.RunPassAsync(stoppingToken);
                    await quotas.RunPassAsync(stoppingToken);
                    await arrivals.FoldAsync();
                    var lengths = new List<(string, long)>();
                    foreach (var (profile, line) in lines.All)
                    {
                        lengths.Add((profile.Slug, await line.CountAsync()));
                    }

                    telemetry.RecordQueueLength(lengths);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPassFailed(ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
        finally
        {
            await lease.ReleaseAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cruiser pass failed: {Reason}; retrying next tick")]
    private partial void LogPassFailed(string reason);
}
