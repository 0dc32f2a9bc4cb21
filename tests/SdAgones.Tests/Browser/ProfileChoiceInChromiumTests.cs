using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SdAgones.Tests.Gateway.Profiles;
using static Microsoft.Playwright.Assertions;

namespace SdAgones.Tests.Browser;

/// <summary>
/// Choosing a GPU profile in Debian's headless Chromium: a person allowed <c>l4</c> picks it on <c>/_sd/</c> and lands
/// in a WebUI of the l4 Fleet. Runs against <see cref="ProfileWorld"/> (a gateway process with the two profiles; l4
/// runtimes are LocalAgones runtimes relabelled into the l4 Fleet).
/// </summary>
[Trait("Category", "Browser")]
public sealed class ProfileChoiceInChromiumTests(ProfileWorld world) : IClassFixture<ProfileWorld>, IAsyncLifetime
{
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(PagesInChromiumTests.Screenshots);
        SetDefaultExpectTimeout(15_000);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }

    [Fact]
    public async Task An_allowed_person_picks_l4_on_the_cards_and_lands_in_an_l4_runtime()
    {
        await world.MoveToL4Async(1);
        await using var context = await browser.NewContextAsync(new() { BaseURL = world.Gateway.Url.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/_sd/");
        await Expect(page).ToHaveURLAsync(new Regex("/_sd/signin\\?returnUrl="));
        await page.Locator("#name").FillAsync("ann@example.com");
        await page.Locator("#signin").ClickAsync();
        await Expect(page.Locator("#profile-l4")).ToContainTextAsync("nvidia-l4");
        await Expect(page.Locator("#profile-l4 .memory")).ToHaveTextAsync("24 GB");
        await Expect(page.Locator("#profile-l4 .ready")).ToHaveTextAsync(new Regex("^[1-9]"));
        await Expect(page.Locator("#profile-t4")).ToHaveAttributeAsync("data-chosen", "true"); // the default until ann chooses
        await page.ScreenshotAsync(new() { Path = Path.Combine(PagesInChromiumTests.Screenshots, "profiles.png"), FullPage = true });

        await page.Locator("#choose-l4").ClickAsync();
        await Expect(page.Locator("#generate")).ToBeVisibleAsync(new() { Timeout = 120_000 }); // the WebUI, by way of the waiting room if need be

        var held = Assert.Single(await world.World.Agones.Client.AllocatedToAsync("ann@example.com"));
        Assert.Equal(ProfileAllocationTests.L4Fleet, held.Fleet);

        // Back on /_sd/, the l4 card is the chosen one.
        await page.GotoAsync("/_sd/");
        await Expect(page.Locator("#profile-l4")).ToHaveAttributeAsync("data-chosen", "true");
        await world.ReleaseAllAsync();
    }
}
