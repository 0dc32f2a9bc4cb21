using SdAgones.CacheServer;

// The local cache: a Redis-protocol server (Microsoft Garnet) in its own process, so that
// `dotnet run` of the AppHost needs neither Docker nor an installed Redis.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddOptions<CacheServerOptions>()
    .Bind(builder.Configuration.GetSection(CacheServerOptions.Section))
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddHostedService<GarnetHost>();
builder.Build().ExitOnBadSettings().Run();
