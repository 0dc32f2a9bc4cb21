using System.Globalization;
using SdAgones.Contracts.Profiles;
using SdAgones.Gateway.Pages;

namespace SdAgones.Gateway.Profiles;

/// <summary>
/// The choice on <c>/_sd/</c> for a person allowed more than one profile: one card per profile with its name,
/// description, GPU type and memory, Ready runtimes now and the current wait estimate, and a button that posts the
/// choice to <see cref="ProfileSwitch.PagePath"/>.
/// </summary>
internal static class ProfileCards
{
    /// <summary>One card's figures.</summary>
    public sealed record Card(RuntimeProfile Profile, int Ready, double? EstimateSeconds);

    /// <summary>The cards, <paramref name="current"/> marked as the one in use; empty for fewer than two cards.</summary>
    public static string Render(IReadOnlyList<Card> cards, RuntimeProfile current)
    {
        if (cards.Count < 2)
        {
            return "";
        }

        var items = string.Join("", cards.Select(c =>
        {
            var p = c.Profile;
            var chosen = p.Slug == current.Slug;
            var wait = c.Ready > 0 ? "no wait: a runtime is ready"
                : c.EstimateSeconds is { } e ? string.Create(CultureInfo.InvariantCulture, $"wait about {Math.Ceiling(e):0} s")
                : "none ready now; one is started for you";
            return $"""
                <div class="card profile-card" id="profile-{PageLayout.Encode(p.Slug)}" data-profile="{PageLayout.Encode(p.Slug)}"{(chosen ? " data-chosen=\"true\"" : "")}>
                  <h3>{PageLayout.Encode(p.DisplayName)}{(chosen ? " <span class=\"muted\">(your choice)</span>" : "")}</h3>
                  <p>{PageLayout.Encode(p.Description)}</p>
                  <p class="muted">{(p.GpuCount > 1 ? $"<span class=\"gpus\">{p.GpuCount}</span> × " : "")}<span class="gpu">{PageLayout.Encode(p.GpuType)}</span>, <span class="memory">{p.EffectiveGpuMemoryGiB} GB</span> · <span class="ready">{c.Ready}</span> ready · <span class="wait">{PageLayout.Encode(wait)}</span></p>
                  <form method="post" action="{ProfileSwitch.PagePath}">
                    <input type="hidden" name="profile" value="{PageLayout.Encode(p.Slug)}">
                    <button type="submit" id="choose-{PageLayout.Encode(p.Slug)}"{(chosen ? " class=\"secondary\"" : "")}>{(chosen ? "Open" : "Use")} {PageLayout.Encode(p.DisplayName)}</button>
                  </form>
                </div>
                """;
        }));
        return $"""<section id="profiles"><h2>GPU profiles</h2>{items}</section>""";
    }
}
