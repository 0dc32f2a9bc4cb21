using SdAgones.LocalAgones.Api;
using SdAgones.LocalAgones.Fleets;
using SdAgones.LocalAgones.Pods;
using SdAgones.Runtimes.Profiles;

namespace SdAgones.LocalAgones;

/// <summary>
/// A local Agones control plane: the Kubernetes API subset the platform uses, one Fleet per profile (<c>Profiles:N:*</c>;
/// none configured: the one Fleet of <c>Fleet:*</c>), each with its own Buffer or Webhook autoscaler,
/// and each GameServer run as real local processes with its own SDK server. Built here so tests can host it.
/// </summary>
public static class LocalAgonesApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.Services.AddOptions<FleetOptions>()
            .BindConfiguration(FleetOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddRuntimeHosting(builder.Configuration);
        builder.Services.AddProfiles();
        builder.Services.AddSingleton<FleetPlans>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EventLog>();
        builder.Services.AddSingleton<GameServerRegistry>();
        builder.Services.AddSingleton<LocalAgonesMetrics>();
        builder.Services.AddSingleton<RuntimeSupervisor>();
        builder.Services.AddHostedService<FleetController>();
        builder.Services.AddFleetAutoscaler();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapKubernetesApi();
        return app;
    }
}
