using SdAgones.Contracts.Profiles;
using SdAgones.Gateway.Edge;
using SdAgones.Gateway.Pages;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Gateway.Profiles;

/// <summary>
/// Which profile a request is for: asked for explicitly (header <see cref="Header"/>, else query <see cref="Query"/>),
/// else the person's remembered choice (<see cref="SessionKeys.ProfileChoice"/>), else the default. A profile the
/// person may not use is refused with 403 naming the ones they may use.
/// </summary>
internal sealed class ProfileChoice(ProfileCatalog profiles, IConnectionMultiplexer redis)
{
    /// <summary>The request header an API client names its profile with (its slug).</summary>
    public const string Header = "X-SdAgones-Profile";

    /// <summary>The query parameter that does the same (<c>?profile=l4</c>).</summary>
    public const string Query = "profile";

    /// <summary>How long a choice is remembered after it was made.</summary>
    public static readonly TimeSpan Remembered = TimeSpan.FromDays(90);

    public ProfileCatalog Profiles => profiles;

    /// <summary>The slug the request asks for explicitly, or null (header first, then query; blank counts as none).</summary>
    public static string? Asked(HttpRequest request)
    {
        var header = request.Headers[Header].ToString().Trim();
        if (header.Length > 0)
        {
            return header.ToLowerInvariant();
        }

        var query = request.Query[Query].ToString().Trim();
        return query.Length > 0 ? query.ToLowerInvariant() : null;
    }

    /// <summary>
    /// The profile for this request: the one asked for (null with <paramref name="refusal"/> set when it is unknown or
    /// not the person's to use), else the remembered one if still allowed, else the default.
    /// </summary>
    public async Task<(RuntimeProfile? Profile, bool Explicit, string? Refusal)> ResolveAsync(HttpRequest request, string user)
    {
        if (Asked(request) is { } asked)
        {
            return Check(asked, user) is { } refusal ? (null, true, refusal) : (profiles.Find(asked), true, null);
        }

        return (await RememberedAsync(user), false, null);
    }

    /// <summary>Null when <paramref name="user"/> may use the profile <paramref name="slug"/>; otherwise why not, naming the ones they may use.</summary>
    public string? Check(string slug, string user)
    {
        var usable = string.Join(", ", profiles.UsableBy(user).Select(p => p.Slug));
        return profiles.Find(slug) switch
        {
            null => $"There is no profile '{slug}'. Profiles you may use: {usable}.",
            { } p when !p.Allows(user) => $"You may not use the profile '{slug}' ({p.DisplayName}). Profiles you may use: {usable}.",
            _ => null,
        };
    }

    /// <summary>The person's remembered profile if they may still use it; otherwise the default (one cache read, only with a choice to make).</summary>
    public async Task<RuntimeProfile> RememberedAsync(string user)
    {
        if (!profiles.HasChoice)
        {
            return profiles.Default;
        }

        var slug = (string?)await redis.GetDatabase().StringGetAsync(SessionKeys.ProfileChoice(user));
        return profiles.Find(slug) is { } p && p.Allows(user) ? p : profiles.Default;
    }

    /// <summary>Remembers the person's choice for their next requests.</summary>
    public Task RememberAsync(string user, RuntimeProfile profile) =>
        redis.GetDatabase().StringSetAsync(SessionKeys.ProfileChoice(user), profile.Slug, Remembered);

    /// <summary>403 (a page for browsers, ProblemDetails with <c>profiles</c> for API clients) saying which profiles the person may use.</summary>
    public async Task RefuseAsync(HttpContext context, string user, string refusal)
    {
        context.Response.Headers.CacheControl = "no-store";
        if (ErrorAnswers.WantsPage(context.Request))
        {
            await PageLayout.Html(MessagePage.Render("Not your profile", refusal), StatusCodes.Status403Forbidden).ExecuteAsync(context);
            return;
        }

        await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Profile not allowed", detail: refusal,
            extensions: new Dictionary<string, object?>
            {
                ["error"] = "profile_not_allowed",
                ["profiles"] = profiles.UsableBy(user).Select(p => p.Slug).ToArray(),
            }).ExecuteAsync(context);
    }
}
