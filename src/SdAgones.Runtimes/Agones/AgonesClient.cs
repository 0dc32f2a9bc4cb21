using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace SdAgones.Runtimes.Agones;

/// <summary>The API server ended a watch because its resource version is too old (Status 410 Expired): re-list.</summary>
public sealed class WatchExpiredException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// The one code path to Agones: the Kubernetes API through KubernetesClient. It talks to LocalAgones locally and
/// to the in-cluster API server on GKE, and does not know which.
/// </summary>
public sealed class AgonesClient(IKubernetes kubernetes, IOptions<AgonesOptions> options)
{
    private readonly AgonesOptions settings = options.Value;

    public string Namespace => settings.Namespace;
    public string FleetName => settings.Fleet;

    /// <summary>Creates a GameServerAllocation and returns Agones' answer (Allocated, UnAllocated or Contention).</summary>
    public async Task<GameServerAllocationStatus> AllocateAsync(GameServerAllocationSpec spec, CancellationToken ct)
    {
        var request = new GameServerAllocation { Spec = spec };
        var answer = await kubernetes.CustomObjects.CreateNamespacedCustomObjectAsync<GameServerAllocation>(
            request, AgonesApi.AllocationGroup, AgonesApi.Version, settings.Namespace, AgonesApi.Allocations, cancellationToken: ct);
        return answer.Status ?? new GameServerAllocationStatus { State = AllocationState.UnAllocated };
    }

    /// <summary>The GameServer, or null when it no longer exists.</summary>
    public async Task<GameServer?> GetGameServerAsync(string name, CancellationToken ct)
    {
        try
        {
            return await kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<GameServer>(
                AgonesApi.Group, AgonesApi.Version, settings.Namespace, AgonesApi.GameServers, name, ct);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<GameServerList> ListGameServersAsync(string? labelSelector, CancellationToken ct) =>
        await kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<GameServerList>(
            AgonesApi.Group, AgonesApi.Version, settings.Namespace, AgonesApi.GameServers,
            labelSelector: labelSelector, cancellationToken: ct);

    /// <summary>Streams changes to the namespace's GameServers from <paramref name="resourceVersion"/> on.</summary>
    /// <exception cref="WatchExpiredException">
    /// The API server ended the watch with an ERROR event carrying Status 410 (the resource version is too old): list
    /// again and watch from the list's version.
    /// </exception>
    /// <exception cref="KubernetesException">The API server ended the watch with another ERROR event.</exception>
    public async IAsyncEnumerable<(WatchEventType Type, GameServer Server)> WatchGameServersAsync(
        string? resourceVersion, string? labelSelector, [EnumeratorCancellation] CancellationToken ct)
    {
        // A real API server reports errors inside the 200 watch stream, as {"type":"ERROR","object":<Status>}, then
        // closes it; KubernetesClient hands those to onError and otherwise just ends the stream.
        Exception? error = null;
        var events = kubernetes.CustomObjects.WatchListNamespacedCustomObjectAsync(
            AgonesApi.Group, AgonesApi.Version, settings.Namespace, AgonesApi.GameServers,
            labelSelector: labelSelector, resourceVersion: resourceVersion, onError: e => error ??= e, cancellationToken: ct);
        await foreach (var (type, item) in events.WithCancellation(ct))
        {
            var json = item is JsonElement element ? element.GetRawText() : KubernetesJson.Serialize(item);
            yield return (type, KubernetesJson.Deserialize<GameServer>(json));
        }

        switch (error)
        {
            case KubernetesException { Status.Code: (int)HttpStatusCode.Gone } gone:
                throw new WatchExpiredException(gone.Status.Message ?? "resource version too old", gone);
            case not null:
                throw error;
        }
    }

    /// <summary>Shuts the runtime down (Agones deletes it and the Fleet replaces it). False when it was already gone.</summary>
    public async Task<bool> DeleteGameServerAsync(string name, CancellationToken ct)
    {
        try
        {
            await kubernetes.CustomObjects.DeleteNamespacedCustomObjectAsync(
                AgonesApi.Group, AgonesApi.Version, settings.Namespace, AgonesApi.GameServers, name, cancellationToken: ct);
            return true;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Merges labels and annotations into the GameServer's metadata.</summary>
    public async Task<GameServer> PatchGameServerMetadataAsync(
        string name, IDictionary<string, string>? labels, IDictionary<string, string>? annotations, CancellationToken ct)
    {
        var patch = new V1Patch(
            new { metadata = new { labels, annotations } }, V1Patch.PatchType.MergePatch);
        return await kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync<GameServer>(
            patch, AgonesApi.Group, AgonesApi.Version, settings.Namespace, AgonesApi.GameServers, name, cancellationToken: ct);
    }

    public async Task<Fleet?> GetFleetAsync(CancellationToken ct)
    {
        try
        {
            return await kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<Fleet>(
                AgonesApi.Group, AgonesApi.Version, settings.Namespace, AgonesApi.Fleets, settings.Fleet, ct);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
