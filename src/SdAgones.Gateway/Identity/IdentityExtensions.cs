using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using SdAgones.Gateway.Api;

namespace SdAgones.Gateway.Identity;

internal static class IdentityExtensions
{
    /// <summary>Authorization policy for the admin API and page.</summary>
    public const string AdminPolicy = "admin";

    /// <summary>
    /// Registers the identity mode as the default authentication scheme and the admin policy; a mode that does not fit
    /// the environment stops the gateway at start-up.
    /// </summary>
    public static WebApplicationBuilder AddIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdentityOptions>()
            .BindConfiguration(IdentityOptions.Section)
            .ValidateSetting("Identity:Mode", o => o.Mode, o => o.Mode != IdentityMode.Development || builder.Environment.IsDevelopment(),
                $"Development is for a Development host environment only (this one is {builder.Environment.EnvironmentName}); use Iap")
            .ValidateSetting("Identity:Iap:Audience", o => o.Iap.Audience, o => o.Mode != IdentityMode.Iap || !string.IsNullOrWhiteSpace(o.Iap.Audience),
                "with Identity:Mode Iap it must be set, e.g. /projects/PROJECT_NUMBER/global/backendServices/SERVICE_ID")
            .ValidateSetting("Identity:Iap:JwksUrl", o => o.Iap.JwksUrl, o => o.Mode != IdentityMode.Iap || Uri.TryCreate(o.Iap.JwksUrl, UriKind.Absolute, out _),
                $"use an absolute URL, e.g. {IapOptions.GoogleJwksUrl}")
            .ValidateSetting("Identity:Iap:ClockSkew", o => o.Iap.ClockSkew, o => o.Iap.ClockSkew >= TimeSpan.Zero && o.Iap.ClockSkew <= TimeSpan.FromMinutes(1),
                "use 00:00:00 to 00:01:00, e.g. 00:00:30")
            .ValidateOnStart();
        builder.Services.AddHttpClient(nameof(IapKeySet), c => c.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton<IapKeySet>();
        builder.Services.AddSingleton<IapTokenValidator>();
        builder.Services.AddDataProtection();
        builder.Services.AddSingleton<DevSignIn>();

        var development = string.Equals(builder.Configuration[$"{IdentityOptions.Section}:{nameof(IdentityOptions.Mode)}"], nameof(IdentityMode.Development), StringComparison.OrdinalIgnoreCase);
        var scheme = development ? DevSignInAuthenticationHandler.SchemeName : IapAuthenticationHandler.SchemeName;
        builder.Services.AddAuthentication(scheme)
            .AddScheme<AuthenticationSchemeOptions, IapAuthenticationHandler>(IapAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, DevSignInAuthenticationHandler>(DevSignInAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<IAuthorizationHandler, AdminHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().AddRequirements(new AdminRequirement()));
        return builder;
    }

    public static bool IsDevelopmentMode(this IServiceProvider services) =>
        services.GetRequiredService<IOptions<IdentityOptions>>().Value.Mode == IdentityMode.Development;

    /// <summary>The person is one of <see cref="AdminOptions.Users"/>.</summary>
    private sealed class AdminRequirement : IAuthorizationRequirement;

    private sealed class AdminHandler(IOptionsMonitor<AdminOptions> admins) : AuthorizationHandler<AdminRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AdminRequirement requirement)
        {
            if (context.User.Identity is { IsAuthenticated: true, Name: { } name } && admins.CurrentValue.IsAdmin(name))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
