using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SdAgones.Tests.Infrastructure;
using SdAgones.Tests.Platform;
using static Microsoft.Playwright.Assertions;

namespace SdAgones.Tests.Browser;

/// <summary>
/// What people and operators see, in Debian's headless Chromium against the whole platform: the sign-in page, the
/// waiting room, the stand-in WebUI, "My runtime" and the admin page. Each step asserts what a person sees on the page
/// (texts, queue position, buttons, the generated image); screenshots land in <see cref="Screenshots"/> for people to look at.
/// </summary>
[Collection(PlatformCollection.Name)]
[Trait("Category", "Browser")]
public sealed class PagesInChromiumTests(PlatformFixture platform) : IAsyncLifetime
{
    private static readonly TimeSpan RuntimeWait = TimeSpan.FromSeconds(120);
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;

    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        await platform.ResetAsync();
        Directory.CreateDirectory(Screenshots);
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
    public async Task A_person_waits_while_the_fleet_is_full_lands_in_the_WebUI_by_itself_and_an_admin_release_sends_them_back()
    {
        var holders = await FillFleetAsync("pw-holder");
        await using var person = await NewContextAsync();
        var page = await person.NewPageAsync();

        // Signing in from the WebUI's address leads to the waiting room, with a place in the queue.
        await SignInAsync(page, "/", "frida");
        await Expect(page.Locator("#stages")).ToBeVisibleAsync();
        await Expect(page.GetByText("Your place in the queue")).ToBeVisibleAsync();
        using var frida = platform.Client("frida");
        var me = await frida.GetFromJsonAsync<JsonElement>("/_sd/api/session");
        Assert.Equal("waiting", me.GetProperty("state").GetString());
        var position = me.GetProperty("queuePosition").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Expect(page.Locator("#position")).ToHaveTextAsync(position); // the API and the page count alike, from 1
        await Expect(page.Locator("#next")).ToHaveTextAsync(me.GetProperty("next").GetString()!);
        await Expect(page.Locator("#next")).ToContainTextAsync($"You are number {position} in the queue; the waiting page moves on");
        await Expect(page.Locator("#waited")).ToHaveTextAsync(new Regex(@"\d+ s$"));
        await Expect(page.Locator("#estimate")).Not.ToBeEmptyAsync();
        await ShootAsync(page, "waiting");

        // A holder gives their GPU back; the waiting page moves on to the WebUI without anyone touching it.
        using (var holder = platform.Client(holders[0]))
        {
            (await holder.PostAsync("/_sd/api/session/release", null)).EnsureSuccessStatusCode();
        }

        await Expect(page.Locator("#generate")).ToBeVisibleAsync(new() { Timeout = (float)RuntimeWait.TotalMilliseconds });
        await Expect(page.Locator("#generate")).ToHaveTextAsync("Generate");
        await Expect(page.Locator("#position")).ToHaveCountAsync(0); // the waiting room is gone, not hidden behind the WebUI
        await page.Locator("#prompt").FillAsync("a red fox in the snow, watercolour");
        await page.Locator("#generate").ClickAsync();
        await Expect(page.Locator("#result")).ToHaveAttributeAsync("src", new Regex("^data:image/png;base64,"), new() { Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => { const img = document.getElementById('result'); return img.complete && img.naturalWidth > 0; }");
        await Expect(page.Locator("#progress")).ToHaveTextAsync(new Regex(@"^Done\. Seed \d+\.$")); // read from the queue's process_completed
        await ShootAsync(page, "webui");

        // "My runtime" names the runtime the WebUI runs on.
        var mine = await person.NewPageAsync();
        await mine.GotoAsync("/_sd/");
        var runtime = (await frida.GetFromJsonAsync<JsonElement>("/_sd/api/session")).GetProperty("runtime").GetString()!;
        await Expect(mine.Locator("#runtime")).ToHaveTextAsync(runtime);
        await Expect(mine.Locator("#release")).ToHaveTextAsync("Give my GPU back");
        await ShootAsync(mine, "my-runtime");
        await mine.CloseAsync();

        // The admin sees them and gives their runtime back.
        await using var operatorContext = await NewContextAsync();
        var admin = await operatorContext.NewPageAsync();
        await SignInAsync(admin, "/_sd/admin", "admin");
        var row = admin.Locator("tr[data-user='frida']");
        await Expect(row).ToContainTextAsync(runtime);
        await Expect(row.Locator("button.release")).ToHaveTextAsync("Release");
        await Expect(admin.Locator("tr[data-user]")).ToHaveCountAsync(PlatformFixture.FleetMax); // the holders and frida, nobody else
        await Expect(admin.Locator("#fleet-total")).ToHaveTextAsync(PlatformFixture.FleetMax.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await ShootAsync(admin, "admin");
        await admin.SetViewportSizeAsync(390, 844);
        await ShootAsync(admin, "admin-phone");
        await admin.SetViewportSizeAsync(1280, 900);
        var confirmation = "";
        admin.Dialog += async (_, dialog) =>
        {
            confirmation = dialog.Message;
            await dialog.AcceptAsync();
        };
        await row.Locator("button.release").ClickAsync();
        await Expect(admin.Locator("#admin-status")).ToContainTextAsync("Released frida");
        await Expect(admin.Locator("#admin-status")).ToHaveClassAsync("success");
        await Expect(admin.Locator("#admin-status")).ToContainTextAsync("They will read: An administrator (admin) gave your runtime back; your next request starts a new one.");
        Assert.StartsWith("Release frida's runtime?", confirmation, StringComparison.Ordinal);
        await Expect(row).ToHaveCountAsync(0);

        // Someone else takes the freed place, so the fleet is full again when frida comes back.
        using var extra = platform.Client("pw-extra");
        await Eventually.HoldsAsync(async () => (await extra.GetAsync("/sdapi/v1/options")).StatusCode == HttpStatusCode.OK,
            RuntimeWait, "pw-extra to get the freed runtime", TimeSpan.FromMilliseconds(500));

        var back = await page.ReloadAsync();
        Assert.Equal((int)HttpStatusCode.ServiceUnavailable, back!.Status);
        await Expect(page.Locator("#notice")).ToHaveTextAsync("An administrator (admin) gave your runtime back; your next request starts a new one.");
        await Expect(page.Locator("#position")).ToHaveTextAsync("1"); // first in line: the only one waiting
        await ShootAsync(page, "waiting-after-release");

        // When a runtime frees again, the same page moves on by itself once more.
        using var operatorClient = platform.Client("admin");
        (await operatorClient.PostAsync("/_sd/api/admin/sessions/pw-extra/release", null)).EnsureSuccessStatusCode();
        await Expect(page.Locator("#generate")).ToBeVisibleAsync(new() { Timeout = (float)RuntimeWait.TotalMilliseconds });
        Assert.Single(await platform.Agones.AllocatedToAsync("frida"));
    }

    [Fact]
    public async Task My_runtime_on_a_phone_shows_the_runtime_a_live_idle_countdown_and_gives_the_GPU_back()
    {
        await using var phone = await NewContextAsync(new ViewportSize { Width = 390, Height = 844 });
        var page = await phone.NewPageAsync();

        await SignInAsync(page, "/_sd/", "gina");
        await Expect(page.Locator("#user")).ToHaveTextAsync("gina");
        await Expect(page.Locator("#runtime-state")).ToContainTextAsync("no runtime");
        await Expect(page.Locator("#signout")).ToBeVisibleAsync();

        await page.Locator("#open-webui").ClickAsync();
        await Expect(page.Locator("#generate")).ToBeVisibleAsync(new() { Timeout = (float)RuntimeWait.TotalMilliseconds });

        await page.GotoAsync("/_sd/");
        using var gina = platform.Client("gina");
        var runtime = (await gina.GetFromJsonAsync<JsonElement>("/_sd/api/session")).GetProperty("runtime").GetString()!;
        await Expect(page.Locator("#runtime")).ToHaveTextAsync(runtime);
        await Expect(page.Locator("#since")).ToBeVisibleAsync();
        var countdown = page.Locator("#countdown");
        await Expect(countdown).ToHaveTextAsync(new Regex(@"^1?\d:\d\d$"));
        var first = await countdown.TextContentAsync();
        await Expect(countdown).Not.ToHaveTextAsync(first!); // it counts down live
        await ShootAsync(page, "my-runtime-phone");

        // Dismissing the confirmation keeps the runtime; accepting it gives the GPU back.
        var accept = false;
        var asked = 0;
        page.Dialog += async (_, dialog) =>
        {
            asked++;
            Assert.Equal(DialogType.Confirm, dialog.Type);
            await (accept ? dialog.AcceptAsync() : dialog.DismissAsync());
        };
        await page.Locator("#release").ClickAsync();
        await Expect(page.Locator("#release-result")).ToHaveTextAsync("Kept: your runtime is still yours.");
        Assert.Equal(1, asked);
        await Expect(page.Locator("#runtime")).ToHaveTextAsync(runtime);
        Assert.Equal(runtime, Assert.Single(await platform.Agones.AllocatedToAsync("gina")).Name);
        Assert.Equal(runtime, (await gina.GetFromJsonAsync<JsonElement>("/_sd/api/session")).GetProperty("runtime").GetString());

        accept = true;
        await page.Locator("#release").ClickAsync();
        await Expect(page.Locator("#release-result")).ToHaveTextAsync("You gave your runtime back; your next request starts a new one.");
        await Expect(page.Locator("#release-result")).ToHaveClassAsync("success");
        Assert.Equal(2, asked);
        Assert.Empty(await platform.Agones.AllocatedToAsync("gina"));

        var forbidden = await page.GotoAsync("/_sd/admin");
        Assert.Equal((int)HttpStatusCode.Forbidden, forbidden!.Status);
        await Expect(page.Locator("#message")).ToContainTextAsync("not an administrator");
    }

    /// <summary>Gives every runtime the fleet may have to someone, through the header scripts use.</summary>
    private async Task<List<string>> FillFleetAsync(string prefix)
    {
        var holders = new List<string>();
        for (var i = 0; i < PlatformFixture.FleetMax; i++)
        {
            var user = $"{prefix}-{i}";
            await Eventually.HoldsAsync(async () =>
            {
                using var client = platform.Client(user);
                return (await client.GetAsync("/sdapi/v1/options")).StatusCode == HttpStatusCode.OK;
            }, RuntimeWait, $"{user} to get a runtime", TimeSpan.FromMilliseconds(500));
            holders.Add(user);
        }

        return holders;
    }

    private Task<IBrowserContext> NewContextAsync(ViewportSize? viewport = null) =>
        browser.NewContextAsync(new()
        {
            BaseURL = platform.GatewayUrl.ToString(),
            ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 900 },
        });

    /// <summary>Opens a page, is sent to the development sign-in, types a name and comes back to the page.</summary>
    private static async Task SignInAsync(IPage page, string path, string name)
    {
        await page.GotoAsync(path);
        await Expect(page).ToHaveURLAsync(new Regex("/_sd/signin\\?returnUrl="));
        await page.Locator("#name").FillAsync(name);
        await page.Locator("#signin").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(Regex.Escape(path) + "$"));
    }

    private static Task ShootAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
}
