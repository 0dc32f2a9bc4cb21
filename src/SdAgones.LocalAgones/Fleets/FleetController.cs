using Microsoft.Extensions.Options;
using SdAgones.LocalAgones.Api;
using SdAgones.LocalAgones.Pods;
using SdAgones.LocalAgones.Sdk;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>
/// The reconcile loop Agones' controllers run, in one place: for each Fleet, its Buffer autoscaler sets its replicas (the
/// Webhook one is <see cref="WebhookAutoscaler"/>) and the Fleet creates or removes its GameServers to match; missed
/// health pings make a GameServer Unhealthy; Shutdown and
/// Unhealthy GameServers have their pods stopped and are deleted (and so replaced). Safe to rerun at any time.
/// </summary>
internal sealed partial class FleetController(
    GameServerRegistry registry,
    RuntimeSupervisor supervisor,
    LocalFleetAutoscaler autoscaler,
    LocalAgonesMetrics metrics,
    IOptions<FleetOptions> options,
    TimeProvider time,
    ILogger<FleetController> logger) : BackgroundService
{
    private readonly SemaphoreSlim poke = new(0, 1);
    private readonly Dictionary<string, DateTimeOffset> requestReadySince = new(StringComparer.Ordinal);
    private DateTimeOffset? nextDue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        registry.Changed += Poke;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await ReconcileAsync();

                // The pass's own writes have already raised Changed; the version read after the pass tells them apart
                // from others' changes, so the loop never wakes itself (issue 13): it sleeps until someone else changes
                // something or the sync interval (health, reservations, autoscaling) comes round.
                var seen = registry.Version;
                var due = time.GetUtcNow() + options.Value.SyncInterval;
                if (nextDue < due)
                {
                    due = nextDue.Value;
                }

                try
                {
                    while (await WaitForPokeAsync(due, stoppingToken) && registry.Version == seen)
                    {
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            registry.Changed -= Poke;
            await supervisor.DisposeAsync();
        }
    }

    /// <summary>True when poked before <paramref name="due"/>; false when the interval is up.</summary>
    private async Task<bool> WaitForPokeAsync(DateTimeOffset due, CancellationToken ct)
    {
        var left = due - time.GetUtcNow();
        return left > TimeSpan.Zero && await poke.WaitAsync(left, ct);
    }

    private void Poke()
    {
        if (poke.CurrentCount == 0)
        {
            try
            {
                poke.Release();
            }
            catch (SemaphoreFullException)
            {
                // already poked
            }
        }
    }

    internal async Task ReconcileAsync()
    {
        metrics.ReconcilePass();
        var (servers, _) = registry.List(LabelSelector.Everything);

        await RemoveLeavingAsync(servers);
        CheckHealth(servers);
        EndReservations(servers);
        MoveRequestReady(servers);

        var live = servers.Where(s => !GameServerRegistry.IsLeaving(s)).ToList();
        foreach (var plan in registry.Plans)
        {
            ReconcileFleet(plan, [.. live.Where(s => s.Metadata.Labels?.TryGetValue(AgonesApi.FleetLabel, out var fleet) == true && fleet == plan.Name)]);
        }
    }

    /// <summary>
    /// One Fleet: its Buffer autoscaler (when that is the policy) sets its replicas, then it creates or removes its own
    /// GameServers to match.
    /// </summary>
    private void ReconcileFleet(FleetPlan plan, List<GameServer> live)
    {
        if (autoscaler.UsesBuffer)
        {
            registry.SetFleetReplicas(plan.Name, BufferPolicy(plan, live));
        }

        var replicas = registry.GetFleet(plan.Name)!.Spec.Replicas;
        for (var i = live.Count; i < replicas; i++)
        {
            var server = registry.CreateForFleet(plan.Name);
            LogCreated(server.Name);
            supervisor.Launch(server.Name, plan.Profile);
        }

        // Scale down never touches Allocated or Reserved runtimes; those still starting go first.
        var surplus = live.Count - replicas;
        foreach (var server in live
                     .Where(s => s.State is not (GameServerState.Allocated or GameServerState.Reserved))
                     .OrderBy(s => s.State == GameServerState.Ready ? 1 : 0)
                     .ThenByDescending(s => s.Metadata.CreationTimestamp)
                     .Take(Math.Max(0, surplus)))
        {
            registry.TryMove(server.Name, GameServerState.Shutdown);
        }
    }

    /// <summary>
    /// The FleetAutoscaler's Buffer policy for one Fleet: its Allocated and Reserved GameServers plus the plan's buffer,
    /// kept between the plan's min and max.
    /// </summary>
    private static int BufferPolicy(FleetPlan plan, List<GameServer> live)
    {
        var busy = live.Count(s => s.State is GameServerState.Allocated or GameServerState.Reserved);
        return Math.Clamp(busy + plan.BufferSize, plan.MinReplicas, plan.MaxReplicas);
    }

    private async Task RemoveLeavingAsync(List<GameServer> servers)
    {
        foreach (var server in servers.Where(GameServerRegistry.IsLeaving))
        {
            await supervisor.StopAsync(server.Name);
            if (registry.Remove(server.Name) is not null)
            {
                LogDeleted(server.Name, server.State?.ToString() ?? "?");
            }
        }
    }

    private void CheckHealth(List<GameServer> servers)
    {
        var now = time.GetUtcNow();
        foreach (var server in servers.Where(s => s.State is GameServerState.Scheduled or GameServerState.RequestReady
                     or GameServerState.Ready or GameServerState.Allocated or GameServerState.Reserved))
        {
            var health = server.Spec.Health;
            if (health.Disabled || supervisor.Find(server.Name) is not { } pod)
            {
                continue;
            }

            var allowed = TimeSpan.FromSeconds(health.PeriodSeconds * health.FailureThreshold);
            var graceEnds = pod.StartedAt + TimeSpan.FromSeconds(health.InitialDelaySeconds) + allowed;
            if (now > graceEnds && now - pod.LastHealth > allowed)
            {
                LogUnhealthy(server.Name, (now - pod.LastHealth).TotalSeconds);
                registry.TryMove(server.Name, GameServerState.Unhealthy);
            }
        }
    }

    /// <summary>
    /// Agones' GameServer controller: a RequestReady GameServer (the SDK's <c>Ready()</c> written) becomes Ready once the
    /// controller gets to it (pkg/gameservers/controller.go <c>syncGameServerRequestReadyState</c>).
    /// </summary>
    private void MoveRequestReady(List<GameServer> servers)
    {
        var now = time.GetUtcNow();
        var delay = options.Value.RequestReadyDelay;
        nextDue = null;
        var waiting = servers.Where(s => s.State == GameServerState.RequestReady).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var left in requestReadySince.Keys.Where(k => !waiting.Contains(k)).ToList())
        {
            requestReadySince.Remove(left);
        }

        foreach (var name in waiting)
        {
            if (!requestReadySince.TryGetValue(name, out var since))
            {
                requestReadySince[name] = since = now;
            }

            var due = since + delay;
            if (now >= due)
            {
                registry.TryMove(name, GameServerState.Ready);
                requestReadySince.Remove(name);
            }
            else if (nextDue is null || due < nextDue)
            {
                nextDue = due;
            }
        }
    }

    private void EndReservations(List<GameServer> servers)
    {
        var now = time.GetUtcNow();
        foreach (var server in servers.Where(s => s.State == GameServerState.Reserved))
        {
            if (server.Metadata.Annotations?.TryGetValue(SdkServer.ReservedUntil, out var until) == true
                && DateTimeOffset.TryParse(until, System.Globalization.CultureInfo.InvariantCulture, out var end) && now >= end)
            {
                registry.TryMove(server.Name, GameServerState.Ready);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fleet: created GameServer {Runtime}")]
    private partial void LogCreated(string runtime);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fleet: deleted GameServer {Runtime} ({State})")]
    private partial void LogDeleted(string runtime, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GameServer {Runtime} missed health pings for {Seconds:F1} s: Unhealthy")]
    private partial void LogUnhealthy(string runtime, double seconds);
}
