using Microsoft.Extensions.Options;

namespace SdAgones.Gateway.Identity;

internal static class IdentityExtensions
{
    /// <summary>Registers the identity mode; a mode that does not fit the environment stops the gateway at start-up.</summary>
    public static WebApplicationBuilder AddIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdentityOptions>()
            .Bind(builder.Configuration.GetSection(IdentityOptions.Section))
            .Validate(o => o.Mode != IdentityMode.Development || builder.Environment.IsDevelopment(),
                $"Identity:Mode is Development, which is allowed only when the host environment is Development (it is {builder.Environment.EnvironmentName}). Use Identity:Mode=Iap in production.")
            .Validate(o => o.Mode != IdentityMode.Iap || !string.IsNullOrWhiteSpace(o.Iap.Audience),
                "Identity:Iap:Audience is required when Identity:Mode is Iap (/projects/PROJECT_NUMBER/global/backendServices/SERVICE_ID).")
            .Validate(o => o.Mode != IdentityMode.Iap || Uri.TryCreate(o.Iap.JwksUrl, UriKind.Absolute, out _),
                "Identity:Iap:JwksUrl must be an absolute URL.")
            .Validate(o => o.Iap.ClockSkew >= TimeSpan.Zero && o.Iap.ClockSkew <= TimeSpan.FromMinutes(1),
                "Identity:Iap:ClockSkew must be between 0 and 1 minute.")
            .ValidateOnStart();
        builder.Services.AddHttpClient(nameof(IapKeySet), c => c.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<IapKeySet>();
        builder.Services.AddSingleton<IapTokenValidator>();
        builder.Services.AddSingleton<PersonResolver>();
        builder.Services.AddDataProtection();
        builder.Services.AddSingleton<DevSignIn>();
        return builder;
    }

    public static bool IsDevelopmentMode(this IServiceProvider services) =>
        services.GetRequiredService<IOptions<IdentityOptions>>().Value.Mode == IdentityMode.Development;
}
