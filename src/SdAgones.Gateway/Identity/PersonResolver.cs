using Microsoft.Extensions.Options;

namespace SdAgones.Gateway.Identity;

/// <summary>Answers "who is this?" for a request, in whichever mode the gateway runs.</summary>
internal sealed class PersonResolver(IOptions<IdentityOptions> options, IServiceProvider services)
{
    public IdentityMode Mode => options.Value.Mode;

    public Task<IdentityResult> ResolveAsync(HttpRequest request) => options.Value.Mode switch
    {
        IdentityMode.Iap => services.GetRequiredService<IapTokenValidator>().ValidateAsync(request),
        _ => Task.FromResult(services.GetRequiredService<DevSignIn>().Resolve(request)),
    };
}
