using System.Diagnostics.Metrics;
using System.Threading.Channels;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using SdAgones.LocalAgones;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.LocalAgones;

/// <summary>
/// Issue 13: an idle LocalAgones sleeps. Counted, not timed: reconcile passes come from the sync interval only, and
/// nothing is published when nothing changed.
/// </summary>
public sealed class IdleLocalAgonesTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task An_idle_fleet_runs_about_one_reconcile_pass_per_sync_interval_and_its_watch_stays_silent()
    {
        await using var host = await LocalAgonesHost.StartAsync(buffer: 2, max: 2, "--Fleet:SyncInterval", "00:00:00.250");
        await host.WaitForReadyAsync(2);

        // Settled: each agent's last start-up write (its first busy report) has landed.
        await Eventually.HoldsAsync(async () => (await host.ListAsync()).All(s =>
            s.Metadata.Annotations?.ContainsKey("agones.dev/sdk-busy") == true), TimeSpan.FromSeconds(30), "every agent's first busy report");
        var list = await host.Agones.ListGameServersAsync(null, CancellationToken.None);
        using var watching = new CancellationTokenSource();
        var events = Channel.CreateUnbounded<(WatchEventType Type, GameServer Server)>();
        var watch = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in host.Agones.WatchGameServersAsync(list.Metadata.ResourceVersion, null, watching.Token))
                {
                    await events.Writer.WriteAsync(e);
                }
            }
            catch (OperationCanceledException)
            {
                // the test stopped watching
            }
        });

        using var passes = new PassCounter(host.Services.GetRequiredService<IMeterFactory>());
        const int intervals = 8;
        await Task.Delay(Interval * intervals); // the quantity under test is what happens over this time

        var counted = passes.Count;
        Assert.InRange(counted, intervals / 2, intervals * 2); // the loop runs on its interval, and only then
        if (events.Reader.TryRead(out var unexpected))
        {
            Assert.Fail($"an idle registry published {unexpected.Type} {unexpected.Server.Name}: {KubernetesJson.Serialize(unexpected.Server.Metadata)} {unexpected.Server.State}");
        }

        // A write that changes nothing publishes nothing; the same write with a change is seen at once (control).
        var name = list.Items.First(s => s.State == GameServerState.Ready).Name;
        var labels = new Dictionary<string, string>(list.Items.First(s => s.Name == name).Metadata.Labels);
        await host.Agones.PatchGameServerMetadataAsync(name, labels, null, CancellationToken.None);
        await host.Agones.PatchGameServerMetadataAsync(name, new Dictionary<string, string> { ["colour"] = "teal" }, null, CancellationToken.None);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = await events.Reader.ReadAsync(wait.Token);
        Assert.Equal(WatchEventType.Modified, seen.Type);
        Assert.Equal("teal", seen.Server.Metadata.Labels["colour"]);
        await watching.CancelAsync();
        await watch;
    }

    /// <summary>Reads <c>sdagones.localagones.reconcile.passes</c> of one LocalAgones (its own meter factory).</summary>
    private sealed class PassCounter : IDisposable
    {
        private readonly MeterListener listener = new();
        private long count;

        public PassCounter(IMeterFactory scope)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == scope && instrument.Name == LocalAgonesMetrics.ReconcilePasses)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref count, value));
            listener.Start();
        }

        public long Count => Interlocked.Read(ref count);

        public void Dispose() => listener.Dispose();
    }
}
