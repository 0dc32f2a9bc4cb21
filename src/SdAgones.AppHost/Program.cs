using SdAgones.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var platform = PlatformSettings.Read(builder.Configuration);

var cache = builder.AddPlatformCache(platform);
var agones = builder.AddLocalAgones(platform);

var gateway = builder.AddProject<Projects.SdAgones_Gateway>("gateway", launchProfileName: null)
    .WithPublicHttpEndpoint(platform.GatewayPort)
    .WithHttpHealthCheck("/health")
    .WithCache(cache)
    .WithAgones(agones)
    .WithEnvironment("Identity__Mode", "Development")
    .WithEnvironment("Admin__Users", platform.AdminUsers)
    .WithEnvironment("Idle__Timeout", platform.IdleTimeout.ToString("c"));

builder.AddProject<Projects.SdAgones_Cruiser>("cruiser", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithCache(cache)
    .WithAgones(agones)
    .WithEnvironment("Idle__Timeout", platform.IdleTimeout.ToString("c"))
    .WaitFor(gateway);

builder.Build().Run();
