using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.LocalAgones;

public sealed class AllocationRaceTests
{
    [Fact]
    public async Task Fifty_concurrent_allocations_against_ten_Ready_runtimes_give_ten_distinct_ones()
    {
        await using var host = await LocalAgonesHost.StartAsync(buffer: 10, max: 10, "--Fleet:MinReplicas", "10");
        await host.WaitForReadyAsync(10, TimeSpan.FromSeconds(150));

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => host.Agones.AllocateAsync(new GameServerAllocationSpec
        {
            Selectors = [new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = "sd-agones-fleet" } }],
            Metadata = new AllocationMetadata { Labels = new() { [AgonesApi.UserLabel] = $"person-{i}" } },
        }, CancellationToken.None))));

        var allocated = answers.Where(a => a.State == AllocationState.Allocated).ToList();
        Assert.Equal(10, allocated.Count);
        Assert.Equal(10, allocated.Select(a => a.GameServerName).Distinct().Count());
        Assert.Equal(40, answers.Count(a => a.State == AllocationState.UnAllocated));
        Assert.Equal(10, (await host.ListAsync()).Count(s => s.State == GameServerState.Allocated));
    }
}
