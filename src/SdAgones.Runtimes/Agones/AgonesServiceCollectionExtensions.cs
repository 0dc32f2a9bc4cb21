using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SdAgones.Runtimes.Agones;

public static class AgonesServiceCollectionExtensions
{
    /// <summary>Registers <see cref="AgonesClient"/> on a KubernetesClient pointed at <c>Agones:ApiServer</c> or the cluster.</summary>
    public static IServiceCollection AddAgonesClient(this IServiceCollection services)
    {
        services.AddOptions<AgonesOptions>()
            .BindConfiguration(AgonesOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IKubernetes>(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<AgonesOptions>>().Value;
            var config = string.IsNullOrWhiteSpace(settings.ApiServer)
                ? KubernetesClientConfiguration.InClusterConfig()
                : new KubernetesClientConfiguration { Host = settings.ApiServer };
            return new Kubernetes(config);
        });
        services.AddSingleton<AgonesClient>();
        return services;
    }
}
