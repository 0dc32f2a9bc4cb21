using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;
using SdAgones.AppHost;
using SdAgones.Contracts;

namespace SdAgones.Tests.Platform;

/// <summary>
/// Issue 20: <c>Platform:Autoscaling=Forecast</c> gives LocalAgones a Webhook FleetAutoscaler that asks the cruiser at
/// the cruiser's own endpoint (an Aspire endpoint reference, whatever port it gets); Buffer, the default, keeps the
/// Buffer policy and no webhook.
/// </summary>
public sealed class PlatformAutoscalingTests
{
    private static async Task<(Dictionary<string, object> LocalAgones, ProjectResource Cruiser, IAsyncDisposable Model)> ModelAsync(params string[] args)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.SdAgones_AppHost>(
            ["Platform:GatewayPort=0", "Platform:LocalAgonesPort=0", .. args]);
        var agones = builder.Resources.OfType<ProjectResource>().Single(r => r.Name == ServiceNames.LocalAgones);
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), agones);
        foreach (var callback in agones.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return (context.EnvironmentVariables, builder.Resources.OfType<ProjectResource>().Single(r => r.Name == ServiceNames.Cruiser), builder);
    }

    [Fact]
    public async Task Forecast_points_LocalAgones_Webhook_autoscaler_at_the_cruisers_endpoint()
    {
        var (env, cruiser, model) = await ModelAsync("Platform:Autoscaling=Forecast");
        await using var _ = model;

        Assert.Equal("Webhook", env[SettingKeys.EnvironmentName(SettingKeys.FleetAutoscaling)]);
        var url = Assert.IsType<ReferenceExpression>(env[SettingKeys.EnvironmentName(SettingKeys.FleetWebhookUrl)]);
        Assert.Equal($"{{{ServiceNames.Cruiser}.bindings.http.url}}/fleetautoscale", url.ValueExpression);
        var endpoint = Assert.IsType<EndpointReference>(Assert.Single(url.ValueProviders));
        Assert.Same(cruiser, endpoint.Resource);
        Assert.Equal("http", endpoint.EndpointName);

        // Whatever port the cruiser is given, LocalAgones asks it there.
        var http = cruiser.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "http");
        http.AllocatedEndpoint = new AllocatedEndpoint(http, "localhost", 5123);
        Assert.Equal("http://localhost:5123/fleetautoscale", await url.GetValueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Buffer_is_the_default_and_gives_LocalAgones_no_webhook()
    {
        var (env, _, model) = await ModelAsync();
        await using var __ = model;

        Assert.Equal("Buffer", env[SettingKeys.EnvironmentName(SettingKeys.FleetAutoscaling)]);
        Assert.False(env.ContainsKey(SettingKeys.EnvironmentName(SettingKeys.FleetWebhookUrl)));
    }

    [Fact]
    public void An_unknown_autoscaling_is_named_with_what_is_allowed()
    {
        var good = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Platform:Autoscaling"] = "forecast" }).Build();
        Assert.Empty(PlatformSettings.Read(good, out var platform));
        Assert.Equal(PlatformAutoscaling.Forecast, platform.Autoscaling);

        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Platform:Autoscaling"] = "Webhook" }).Build();
        Assert.Equal(["Platform:Autoscaling = \"Webhook\" is not allowed; use one of Buffer, Forecast"], PlatformSettings.Read(bad, out _));
    }
}
