namespace SdAgones.Gateway.Identity;

/// <summary>Who is asking, or the one-line reason the gateway does not know.</summary>
internal readonly record struct IdentityResult(string? User, string? Error)
{
    public static IdentityResult Ok(string user) => new(user, null);
    public static IdentityResult Fail(string reason) => new(null, reason);
    public static IdentityResult None { get; } = new(null, null);
}
