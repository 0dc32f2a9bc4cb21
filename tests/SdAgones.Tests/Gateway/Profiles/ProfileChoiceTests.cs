using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Faults;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Gateway.Profiles;

/// <summary>
/// A real gateway process with two profiles (<see cref="ProfileAllocationTests.Profiles"/>: <c>t4</c> the default,
/// <c>l4</c> for ann and bob only) on real Garnet and LocalAgones; l4 runtimes are LocalAgones runtimes relabelled into
/// the l4 Fleet (<see cref="ProfileWorld.MoveToL4Async"/>).
/// </summary>
public sealed class ProfileChoiceTests(ProfileWorld world) : IClassFixture<ProfileWorld>
{
    [Fact]
    public async Task A_person_not_on_the_l4_list_is_refused_l4_with_403_naming_t4_and_gets_t4_without_asking()
    {
        await world.MoveToL4Async(1);
        using var zoe = world.Client("zoe@example.com");
        zoe.DefaultRequestHeaders.Add("X-SdAgones-Profile", "l4");
        var refused = await zoe.GetAsync("/sdapi/v1/options");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("profile_not_allowed", problem.GetProperty("error").GetString());
        Assert.Equal("You may not use the profile 'l4' (L4). Profiles you may use: t4.", problem.GetProperty("detail").GetString());
        Assert.Equal(["t4"], problem.GetProperty("profiles").EnumerateArray().Select(p => p.GetString()));

        using var zoePage = world.Client("zoe@example.com", html: true);
        var page = await zoePage.GetAsync("/?profile=l4");
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("You may not use the profile &#39;l4&#39; (L4). Profiles you may use: t4.", await page.Content.ReadAsStringAsync());

        using var unknown = world.Client("zoe@example.com");
        unknown.DefaultRequestHeaders.Add("X-SdAgones-Profile", "a100");
        var none = await unknown.GetAsync("/sdapi/v1/options");
        Assert.Equal(HttpStatusCode.Forbidden, none.StatusCode);
        Assert.Equal("There is no profile 'a100'. Profiles you may use: t4.", (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Empty(await world.World.Agones.Client.AllocatedToAsync("zoe@example.com"));

        // Without asking, zoe gets the t4 default.
        using var plain = world.Client("zoe@example.com");
        var zoeRuntime = await RuntimeProbe.WaitForRuntimeAsync(plain, "zoe's t4 runtime");
        Assert.Equal(SdAgones.Contracts.RuntimeFleet.Name, await world.FleetOfAsync(zoeRuntime));

        // Control: ann, on the l4 list, asking the same way gets an l4 runtime.
        using var ann = world.Client("ann@example.com");
        ann.DefaultRequestHeaders.Add("X-SdAgones-Profile", "l4");
        var annRuntime = await RuntimeProbe.WaitForRuntimeAsync(ann, "ann's l4 runtime");
        Assert.Equal(ProfileAllocationTests.L4Fleet, await world.FleetOfAsync(annRuntime));
        Assert.Equal("l4", (await ann.GetFromJsonAsync<JsonElement>("/_sd/api/session")).GetProperty("profile").GetString());
        await world.ReleaseAllAsync();
    }

    [Fact]
    public async Task Switching_asks_to_confirm_gives_back_the_t4_runtime_and_lands_in_l4_with_one_runtime_at_every_moment()
    {
        await world.MoveToL4Async(1);
        using var bob = world.Client("bob@example.com");
        var t4 = await RuntimeProbe.WaitForRuntimeAsync(bob, "bob's t4 runtime");
        Assert.Equal(SdAgones.Contracts.RuntimeFleet.Name, await world.FleetOfAsync(t4));

        // Asking for l4 while holding t4: not forwarded; switching needs a confirmation.
        using var asking = world.Client("bob@example.com");
        asking.DefaultRequestHeaders.Add("X-SdAgones-Profile", "l4");
        var conflict = await asking.GetAsync("/sdapi/v1/options");
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("holds_other_profile", (await conflict.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        using var bobPage = world.Client("bob@example.com", html: true);
        var ask = await bobPage.PostAsync("/_sd/profile", new FormUrlEncodedContent([new("profile", "l4")]));
        Assert.Equal(HttpStatusCode.Conflict, ask.StatusCode);
        Assert.Contains("id=\"confirm-switch\"", await ask.Content.ReadAsStringAsync());
        Assert.Equal([t4], (await world.World.Agones.Client.AllocatedToAsync("bob@example.com")).Select(s => s.Name));

        // The confirmed switch with requests for both profiles in flight; LocalAgones' list is polled throughout.
        var most = 0;
        using var stop = new CancellationTokenSource();
        var poll = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                most = Math.Max(most, (await world.World.Agones.Client.AllocatedToAsync("bob@example.com")).Count);
                await Task.Delay(10);
            }
        });
        var storm = Enumerable.Range(0, 10).Select(i => (i % 2 == 0 ? asking : bob).GetAsync("/sdapi/v1/cmd-flags")).ToList();
        var confirmed = await bobPage.PostAsync("/_sd/profile", new FormUrlEncodedContent([new("profile", "l4"), new("confirm", "yes")]));
        await Task.WhenAll(storm);
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);

        // Control: the next plain request (no header) uses the remembered l4 and lands in the l4 Fleet.
        var l4 = await Eventually.ReturnsAsync(async () =>
        {
            var runtime = await RuntimeProbe.WaitForRuntimeAsync(bob, "bob's runtime after the switch");
            return await world.FleetOfAsync(runtime) == ProfileAllocationTests.L4Fleet ? runtime : null;
        }, TimeSpan.FromSeconds(90), "bob in an l4 runtime");
        await stop.CancelAsync();
        await poll;
        Assert.Equal(1, most);
        Assert.Equal([l4], (await world.World.Agones.Client.AllocatedToAsync("bob@example.com")).Select(s => s.Name));
        var events = await world.EventsAsync();
        Assert.Contains(events, e => e.GetProperty("person").GetString() == "bob@example.com" && e.GetProperty("reason").GetString() == "profile_switch"
            && e.GetProperty("runtime").GetString() == t4 && e.GetProperty("profile").GetString() == "t4");
        await world.ReleaseAllAsync();
    }

    [Fact]
    public async Task Only_a_person_with_a_choice_sees_the_profile_cards_and_the_admin_page_counts_per_profile()
    {
        await world.MoveToL4Async(1);
        using var ann = world.Client("ann@example.com", html: true);
        var cards = await ann.GetStringAsync("/_sd/");
        Assert.Contains("id=\"choose-t4\"", cards);
        Assert.Contains("id=\"choose-l4\"", cards);
        Assert.Contains("<span class=\"gpu\">nvidia-l4</span>, <span class=\"memory\">24 GB</span>", cards);

        using var zoe = world.Client("zoe@example.com", html: true);
        var single = await zoe.GetStringAsync("/_sd/");
        Assert.Contains("id=\"runtime-card\"", single); // control: the page itself is there
        Assert.DoesNotContain("id=\"choose-", single);

        using var admin = world.Client("admin");
        var overview = await admin.GetFromJsonAsync<JsonElement>("/_sd/api/admin/sessions");
        var l4 = overview.GetProperty("profiles").EnumerateArray().Single(p => p.GetProperty("profile").GetString() == "l4");
        Assert.True(l4.GetProperty("runtimes").GetProperty("ready").GetInt32() >= 1);
        Assert.Equal(ProfileAllocationTests.L4Fleet, l4.GetProperty("fleet").GetString());
    }
}

/// <summary>FaultWorld's LocalAgones and cache with one gateway process configured with the two profiles.</summary>
public sealed class ProfileWorld : IAsyncLifetime
{
    public FaultWorld World { get; private set; } = null!;
    public ServiceProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        World = await FaultWorld.StartAsync(buffer: 2, max: 6);
        Gateway = await World.StartGatewayAsync([.. GatewayWorld.ProfileSettings(ProfileAllocationTests.Profiles())
            .Where(kv => kv.Value is not null).Select(kv => (kv.Key, kv.Value!))]);
    }

    public HttpClient Client(string user, bool html = false) => FaultWorld.Client(Gateway, user, html);

    /// <summary>Relabels Ready runtimes into the l4 Fleet until <paramref name="count"/> are Ready there, and waits until the gateway counts them.</summary>
    public async Task MoveToL4Async(int count)
    {
        var client = World.Agones.Client;
        await client.WaitForReadyAsync(count);
        var l4Ready = (await client.ListAsync()).Count(s => s.State == GameServerState.Ready && s.Fleet == ProfileAllocationTests.L4Fleet);
        foreach (var server in (await client.ListAsync()).Where(s => s.State == GameServerState.Ready && s.Fleet == SdAgones.Contracts.RuntimeFleet.Name).Take(Math.Max(0, count - l4Ready)))
        {
            await client.Agones.PatchGameServerMetadataAsync(server.Name,
                new Dictionary<string, string> { [SdAgones.Contracts.AgonesApi.FleetLabel] = ProfileAllocationTests.L4Fleet }, null, CancellationToken.None);
        }

        using var admin = Client("admin");
        await Eventually.HoldsAsync(async () =>
        {
            var overview = await admin.GetFromJsonAsync<JsonElement>("/_sd/api/admin/sessions");
            return overview.GetProperty("profiles").EnumerateArray().Single(p => p.GetProperty("profile").GetString() == "l4")
                .GetProperty("runtimes").GetProperty("ready").GetInt32() >= count;
        }, TimeSpan.FromSeconds(60), $"the gateway to count {count} Ready l4 runtimes");
    }

    public async Task<string?> FleetOfAsync(string runtime) => (await World.Agones.Client.ListAsync()).SingleOrDefault(s => s.Name == runtime)?.Fleet;

    public async Task<List<JsonElement>> EventsAsync()
    {
        using var admin = Client("admin");
        var text = await admin.GetStringAsync("/_sd/api/admin/events?format=jsonl");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)];
    }

    /// <summary>Gives every runtime back (admin release), so the next test starts with none held.</summary>
    public async Task ReleaseAllAsync()
    {
        using var admin = Client("admin");
        var overview = await admin.GetFromJsonAsync<JsonElement>("/_sd/api/admin/sessions");
        foreach (var session in overview.GetProperty("sessions").EnumerateArray())
        {
            await admin.PostAsync($"/_sd/api/admin/sessions/{Uri.EscapeDataString(session.GetProperty("user").GetString()!)}/release", null);
        }
    }

    public async Task DisposeAsync() => await World.DisposeAsync();
}
