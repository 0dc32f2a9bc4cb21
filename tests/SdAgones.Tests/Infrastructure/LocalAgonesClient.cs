using k8s;
using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Tests.Infrastructure;

/// <summary>The tests' view of a LocalAgones running elsewhere, through the same KubernetesClient code the product uses.</summary>
public sealed class LocalAgonesClient : IDisposable
{

    public LocalAgonesClient(Uri url)
    {
        Url = url;
        Kubernetes = new Kubernetes(new KubernetesClientConfiguration { Host = url.ToString() });
        Agones = new AgonesClient(Kubernetes, Options.Create(new AgonesOptions { ApiServer = url.ToString() }));
    }

    public Uri Url { get; }
    public Kubernetes Kubernetes { get; }
    public AgonesClient Agones { get; }

    public async Task<List<GameServer>> ListAsync(string? selector = null) =>
        (await Agones.ListGameServersAsync(selector, CancellationToken.None)).Items.ToList();

    public Task WaitForReadyAsync(int count, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(async () => (await ListAsync()).Count(s => s.State == GameServerState.Ready) >= count,
            timeout ?? TimeSpan.FromSeconds(90), $"{count} Ready runtimes");

    /// <summary>Allocates a Ready runtime from the fleet to the person with the labels and annotations a gateway sets, without binding a session.</summary>
    public async Task<GameServerAllocationStatus> AllocateToAsync(string user, DateTimeOffset at)
    {
        var status = await Agones.AllocateAsync(new GameServerAllocationSpec
        {
            Selectors = [new GameServerSelector { MatchLabels = new() { [AgonesApi.FleetLabel] = "sd-agones-fleet" } }],
            Metadata = new AllocationMetadata
            {
                Labels = new() { [AgonesApi.UserLabel] = PersonLabel.For(user) },
                Annotations = new()
                {
                    [AgonesApi.UserAnnotation] = user,
                    [AgonesApi.AllocatedAtAnnotation] = at.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                },
            },
        }, CancellationToken.None);
        Assert.Equal(AllocationState.Allocated, status.State);
        return status;
    }

    public async Task<List<GameServer>> AllocatedToAsync(string user) =>
        (await ListAsync()).Where(s => s.State == GameServerState.Allocated && s.AllocatedUser == user).ToList();

    public void Dispose() => Kubernetes.Dispose();
}
