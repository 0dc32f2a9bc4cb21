using Microsoft.Extensions.Hosting;
using SdAgones.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
if (PlatformSettings.Read(builder.Configuration, out var platform) is { Count: > 0 } problems)
{
    SettingsCheck.Report(problems); // one line per bad key and exit code 1, no stack trace
    return;
}

if (builder.ExecutionContext.IsPublishMode)
{
    // Publishing describes production: the cache is Memorystore, Agones is the cluster's, identity is IAP.
    // deploy/generate-manifests turns this model into manifests/ (see docs/deploy-gke.md).
    builder.AddProductionModel(platform);
    builder.Build().Run();
    return;
}

var cache = builder.AddPlatformCache(platform);
var agones = builder.AddLocalAgones(platform);

var gateway = builder.AddProject<Projects.SdAgones_Gateway>(ServiceNames.Gateway, launchProfileName: null)
    .WithReplicas(platform.GatewayReplicas)
    .WithPlatformIdentity(platform)
    .WithHttpHealthCheck("/health")
    .WithCache(cache)
    .WithAgones(agones)
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development") // local runs only: publishing never carries the dev identity
    .WithPlatformSettings(platform);

var cruiser = builder.AddProject<Projects.SdAgones_Cruiser>(ServiceNames.Cruiser, launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithCache(cache)
    .WithAgones(agones)
    .WithPlatformSettings(platform)
    .WaitFor(gateway);

// Until the cruiser answers, LocalAgones' Webhook FleetAutoscaler keeps the Fleet's replicas, as Agones does.
agones.WithFleetAutoscaler(platform, cruiser);

// Locally every resource speaks plain HTTP. Aspire shows the dashboard's "no trusted development certificate" error
// whenever a resource could take the certificate (every project can by default), so no project is offered it.
#pragma warning disable ASPIRECERTIFICATES001 // evaluation API
foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
{
    builder.CreateResourceBuilder(project).WithoutHttpsCertificate();
}
#pragma warning restore ASPIRECERTIFICATES001

builder.Build().Run();
