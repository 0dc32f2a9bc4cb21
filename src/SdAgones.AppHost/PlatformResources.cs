using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SdAgones.Contracts.Profiles;

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
            return new PlatformCache(builder.AddConnectionString(ServiceNames.Cache), Server: null);
        }

        var garnet = builder.AddProject<Projects.SdAgones_CacheServer>("garnet", launchProfileName: null)
            .WithEndpoint(name: "tcp", scheme: "tcp", env: Env(SettingKeys.CachePort));
        var endpoint = garnet.GetEndpoint("tcp");

        var healthCheck = "garnet-ping";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, ct => PingAsync(endpoint, ct));
        garnet.WithHealthCheck(healthCheck);

        var cache = builder.AddConnectionString(
            ServiceNames.Cache, ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.HostAndPort)}"));
        cache.WithParentRelationship(garnet);
        return new PlatformCache(cache, garnet);
    }

    /// <summary>LocalAgones: the Kubernetes/Agones API subset and the fleet of runtimes as local processes.</summary>
    public static IResourceBuilder<ProjectResource> AddLocalAgones(
        this IDistributedApplicationBuilder builder, PlatformSettings platform)
    {
        return builder.AddProject<Projects.SdAgones_LocalAgones>(ServiceNames.LocalAgones, launchProfileName: null)
            .WithPublicHttpEndpoint(platform.LocalAgonesPort)
            .WithHttpHealthCheck("/health")
            .WithPlatformSettings(platform);
    }

    /// <summary>
    /// With <c>Platform:Autoscaling=Forecast</c>, LocalAgones' Webhook FleetAutoscaler asks the cruiser at its own endpoint
    /// (<c>{cruiser http}/fleetautoscale</c>); the policy itself reaches LocalAgones through <see cref="PlatformSettingMap.Autoscaling"/>.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithFleetAutoscaler(
        this IResourceBuilder<ProjectResource> agones, PlatformSettings platform, IResourceBuilder<ProjectResource> cruiser) =>
        platform.Autoscaling == PlatformAutoscaling.Forecast
            ? agones.WithEnvironment(Env(SettingKeys.FleetWebhookUrl), ReferenceExpression.Create($"{cruiser.GetEndpoint("http")}{AgonesApi.FleetAutoscaleWebhookPath}"))
            : agones;

    /// <summary>
    /// How the local gateway learns who is asking. Development: its own sign-in page, at the public port. Iap: LocalIap
    /// takes the public port and plays Google IAP in front of it; the gateway, at an internal port, verifies the ES256
    /// token against LocalIap's JWKS for the audience both are given, as it does on GKE, and has no sign-in of its own.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPlatformIdentity(this IResourceBuilder<ProjectResource> gateway, PlatformSettings platform)
    {
        if (platform.Identity == PlatformIdentity.Development)
        {
            return gateway.WithPublicHttpEndpoint(platform.GatewayPort).WithEnvironment(Env(SettingKeys.IdentityMode), "Development");
        }

        const string audience = "/projects/0/global/backendServices/sdagones-local";
        var iap = gateway.ApplicationBuilder.AddProject<Projects.SdAgones_LocalIap>(ServiceNames.LocalIap, launchProfileName: null)
            .WithPublicHttpEndpoint(platform.GatewayPort)
            .WithHttpHealthCheck("/health")
            .WithEnvironment(Env(SettingKeys.LocalIapAudience), audience);
        gateway.WithHttpEndpoint(name: "http")
            .WithEnvironment(Env(SettingKeys.IdentityMode), "Iap")
            .WithEnvironment(Env(SettingKeys.IdentityIapAudience), audience)
            .WithEnvironment(Env(SettingKeys.IdentityIapJwksUrl), ReferenceExpression.Create($"{iap.GetEndpoint("http")}/_iap/jwks"));
        iap.WithEnvironment(Env(SettingKeys.LocalIapUpstream), gateway.GetEndpoint("http")).WaitFor(gateway);
        return gateway;
    }

    /// <summary>
    /// The production app model: gateway and cruiser as the two deployable services, the cache as a connection
    /// string (Memorystore), Agones from inside the cluster. LocalAgones, the embedded cache and the runtimes are
    /// local stand-ins and are not part of it.
    /// </summary>
    public static void AddProductionModel(this IDistributedApplicationBuilder builder, PlatformSettings platform)
    {
        var cache = builder.AddConnectionString(ServiceNames.Cache);
        builder.AddProject<Projects.SdAgones_Gateway>(ServiceNames.Gateway, launchProfileName: null)
            .WithHttpEndpoint(name: "http", targetPort: 8080)
            .WithReference(cache)
            .WithEnvironment(Env(SettingKeys.IdentityMode), "Iap")
            .WithPlatformSettings(platform, production: true);
        builder.AddProject<Projects.SdAgones_Cruiser>(ServiceNames.Cruiser, launchProfileName: null)
            .WithHttpEndpoint(name: "http", targetPort: 8080)
            .WithReference(cache)
            .WithPlatformSettings(platform, production: true);
    }

    /// <summary>
    /// The platform settings this service is given (<see cref="PlatformSettingMap"/>, by the resource's name): the idle
    /// timeout and intervals, the admin list, the shared volume, LocalAgones' fleet, the profiles. Production's model carries only
    /// those deploy/settings.json decides; the overlay sets the rest.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPlatformSettings(
        this IResourceBuilder<ProjectResource> project, PlatformSettings platform, bool production = false)
    {
        foreach (var setting in PlatformSettingMap.For(project.Resource.Name, production))
        {
            if (platform.ValueOf(setting) is not { } value)
            {
                continue; // unset: the service's own default applies
            }

            project.WithEnvironment(setting.EnvironmentName, setting.IsFolder ? Path.GetFullPath(value, project.ApplicationBuilder.AppHostDirectory) : value);
        }

        if (ProfileSettings.For(production).Contains(project.Resource.Name, StringComparer.Ordinal))
        {
            foreach (var (name, value) in ProfileSettings.Environment(platform.Profiles))
            {
                project.WithEnvironment(name, value);
            }
        }

        if (!production && project.Resource.Name == ServiceNames.Cruiser)
        {
            // Each profile Fleet's own bounds for the forecast webhook (the overlay writes the same on GKE).
            foreach (var (name, value) in ProfileSettings.ForecastEnvironment(platform.Profiles))
            {
                project.WithEnvironment(name, value);
            }
        }

        return project;
    }

    private static string Env(string key) => SettingKeys.EnvironmentName(key);

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
            .WithEnvironment(Env(SettingKeys.AgonesApiServer), agones.GetEndpoint("http"))
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
