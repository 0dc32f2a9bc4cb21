using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SdAgones.AppHost;

/// <summary>The cache's connection string, and the local server behind it when the AppHost runs one.</summary>
internal sealed record PlatformCache(
    IResourceBuilder<IResourceWithConnectionString> Connection, IResourceBuilder<ProjectResource>? Server);

/// <summary>How the AppHost composes the cache, LocalAgones and the services that use them.</summary>
internal static class PlatformResources
{
    /// <summary>The cache every service shares: embedded Garnet by default, an external Redis when told.</summary>
    public static PlatformCache AddPlatformCache(this IDistributedApplicationBuilder builder, PlatformSettings platform)
    {
        if (platform.Cache == CacheMode.External)
        {
            return new PlatformCache(builder.AddConnectionString("cache"), Server: null);
        }

        var garnet = builder.AddProject<Projects.SdAgones_CacheServer>("garnet", launchProfileName: null)
            .WithEndpoint(name: "tcp", scheme: "tcp", env: "Cache__Port");
        var endpoint = garnet.GetEndpoint("tcp");

        var healthCheck = "garnet-ping";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => PingAsync(endpoint, ct));
        garnet.WithHealthCheck(healthCheck);

        var cache = builder.AddConnectionString(
            "cache", ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.HostAndPort)}"));
        cache.WithParentRelationship(garnet);
        return new PlatformCache(cache, garnet);
    }

    /// <summary>LocalAgones: the Kubernetes/Agones API subset and the fleet of runtimes as local processes.</summary>
    public static IResourceBuilder<ProjectResource> AddLocalAgones(
        this IDistributedApplicationBuilder builder, PlatformSettings platform)
    {
        var storageRoot = Path.GetFullPath(platform.StorageRoot, builder.AppHostDirectory);
        return builder.AddProject<Projects.SdAgones_LocalAgones>("localagones", launchProfileName: null)
            .WithPublicHttpEndpoint(platform.LocalAgonesPort)
            .WithHttpHealthCheck("/health")
            .WithEnvironment("Fleet__BufferSize", platform.FleetBuffer.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Fleet__MinReplicas", platform.FleetMinReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Fleet__MaxReplicas", platform.FleetMaxReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Fleet__StartDelay", platform.RuntimeStartDelay.ToString("c"))
            .WithEnvironment("Fleet__StorageRoot", storageRoot);
    }

    /// <summary>
    /// How the local gateway learns who is asking. Development: its own sign-in page, at the public port. Iap: LocalIap
    /// takes the public port and plays Google IAP in front of it; the gateway, at an internal port, verifies the ES256
    /// token against LocalIap's JWKS for the audience both are given, as it does on GKE, and has no sign-in of its own.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPlatformIdentity(this IResourceBuilder<ProjectResource> gateway, PlatformSettings platform)
    {
        if (platform.Identity == PlatformIdentity.Development)
        {
            return gateway.WithPublicHttpEndpoint(platform.GatewayPort).WithEnvironment("Identity__Mode", "Development");
        }

        const string audience = "/projects/0/global/backendServices/sdagones-local";
        var iap = gateway.ApplicationBuilder.AddProject<Projects.SdAgones_LocalIap>("localiap", launchProfileName: null)
            .WithPublicHttpEndpoint(platform.GatewayPort)
            .WithHttpHealthCheck("/health")
            .WithEnvironment("LocalIap__Audience", audience);
        gateway.WithHttpEndpoint(name: "http")
            .WithEnvironment("Identity__Mode", "Iap")
            .WithEnvironment("Identity__Iap__Audience", audience)
            .WithEnvironment("Identity__Iap__JwksUrl", ReferenceExpression.Create($"{iap.GetEndpoint("http")}/_iap/jwks"));
        iap.WithEnvironment("LocalIap__Upstream", gateway.GetEndpoint("http")).WaitFor(gateway);
        return gateway;
    }

    /// <summary>
    /// The production app model: gateway and cruiser as the two deployable services, the cache as a connection
    /// string (Memorystore), Agones from inside the cluster. LocalAgones, the embedded cache and the runtimes are
    /// local stand-ins and are not part of it.
    /// </summary>
    public static void AddProductionModel(this IDistributedApplicationBuilder builder, PlatformSettings platform)
    {
        var cache = builder.AddConnectionString("cache");
        builder.AddProject<Projects.SdAgones_Gateway>("gateway", launchProfileName: null)
            .WithHttpEndpoint(name: "http", targetPort: 8080)
            .WithReference(cache)
            .WithEnvironment("Identity__Mode", "Iap")
            .WithEnvironment("Admin__Users", platform.AdminUsers)
            .WithIdleSettings(platform);
        builder.AddProject<Projects.SdAgones_Cruiser>("cruiser", launchProfileName: null)
            .WithHttpEndpoint(name: "http", targetPort: 8080)
            .WithReference(cache)
            .WithIdleSettings(platform);
    }

    /// <summary>The shared volume, for the gateway's "My files" (each person's own folder below <c>users/</c>).</summary>
    public static IResourceBuilder<ProjectResource> WithStorage(this IResourceBuilder<ProjectResource> project, PlatformSettings platform) =>
        project.WithEnvironment("Storage__Root", Path.GetFullPath(platform.StorageRoot, project.ApplicationBuilder.AppHostDirectory));

    public static IResourceBuilder<ProjectResource> WithIdleSettings(this IResourceBuilder<ProjectResource> project, PlatformSettings platform) =>
        project.WithEnvironment("Idle__Timeout", platform.IdleTimeout.ToString("c"))
            .WithEnvironment("Idle__CheckInterval", platform.IdleCheckInterval.ToString("c"))
            .WithEnvironment("Reconcile__Interval", platform.ReconcileInterval.ToString("c"));

    /// <summary>An HTTP endpoint at a fixed port people and scripts can rely on, or any free port when 0.</summary>
    public static IResourceBuilder<ProjectResource> WithPublicHttpEndpoint(this IResourceBuilder<ProjectResource> project, int port) =>
        port == 0 || project.Resource.Annotations.OfType<ReplicaAnnotation>().Any(r => r.Replicas > 1)
            ? project.WithHttpEndpoint(name: "http")
            : project.WithHttpEndpoint(port: port, name: "http", isProxied: false);

    public static IResourceBuilder<ProjectResource> WithCache(this IResourceBuilder<ProjectResource> project, PlatformCache cache)
    {
        project.WithReference(cache.Connection);
        return cache.Server is null ? project : project.WaitFor(cache.Server);
    }

    /// <summary>Points the service's Kubernetes client at LocalAgones (on GKE it uses the in-cluster API server).</summary>
    public static IResourceBuilder<ProjectResource> WithAgones(
        this IResourceBuilder<ProjectResource> project, IResourceBuilder<ProjectResource> agones) =>
        project.WithReference(agones)
            .WithEnvironment("Agones__ApiServer", agones.GetEndpoint("http"))
            .WaitFor(agones);

    private static async Task<HealthCheckResult> PingAsync(EndpointReference endpoint, CancellationToken ct)
    {
        if (!endpoint.IsAllocated)
        {
            return HealthCheckResult.Unhealthy("endpoint not allocated yet");
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, ct);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), ct);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, ct);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("unexpected answer to PING");
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
