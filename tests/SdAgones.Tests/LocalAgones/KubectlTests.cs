using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using SdAgones.Runtimes.Agones;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.LocalAgones;

/// <summary>One LocalAgones with a Fleet of three, scaled by hand (no autoscaler), and a kubeconfig that points the real kubectl at it.</summary>
public sealed class KubectlFixture : IAsyncLifetime
{
    public const string Fleet = "sd-agones-fleet";

    public LocalAgonesHost Host { get; private set; } = null!;

    public string Config { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await LocalAgonesHost.StartAsync(buffer: 1, max: 6, "--Fleet:Autoscale", "false", "--Fleet:MinReplicas", "3");
        Config = await Host.WriteKubeconfigAsync();
        await Host.WaitForReadyAsync(3, TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Issue 22: the real kubectl against LocalAgones, as an operator uses it against Agones — discovery and short names,
/// Agones' printer columns, cluster-wide lists, events in describe, create -f of a GameServerAllocation, the Fleet's
/// scale subresource, delete and a watch that prints a state change.
/// </summary>
public sealed class KubectlTests(KubectlFixture fixture) : IClassFixture<KubectlFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private LocalAgonesHost Host => fixture.Host;

    [Fact]
    public async Task Kubectl_lists_every_resource_with_its_short_name_and_gets_GameServers_by_gs()
    {
        var (code, output, errors) = await KubectlAsync("api-resources");
        Assert.True(code == 0, errors);
        Assert.Matches(@"gameservers\s+gs\s+agones.dev/v1\s+true\s+GameServer", output);
        Assert.Matches(@"fleets\s+flt\s+agones.dev/v1\s+true\s+Fleet", output);
        Assert.Matches(@"gameserverallocations\s+gsa\s+allocation.agones.dev/v1\s+true\s+GameServerAllocation", output);
        Assert.Matches(@"fleetautoscalers\s+fas\s+autoscaling.agones.dev/v1\s+true\s+FleetAutoscaler", output);

        var name = await ReadyNameAsync();
        (code, output, errors) = await KubectlAsync("get", "gs", "-o", "name");
        Assert.True(code == 0, errors);
        Assert.Contains($"gameserver.agones.dev/{name}", output.Split('\n', StringSplitOptions.TrimEntries));

        // Control: an unknown short name is refused by kubectl itself.
        (code, _, errors) = await KubectlAsync("get", "nosuchthing");
        Assert.NotEqual(0, code);
        Assert.Contains("the server doesn't have a resource type \"nosuchthing\"", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_gs_wide_shows_Agones_columns_with_the_GameServers_state_address_port_and_node()
    {
        var name = await ReadyNameAsync();
        var server = (await Host.ListAsync()).Single(s => s.Name == name);
        var (code, output, errors) = await KubectlAsync("get", "gs", "-o", "wide");
        Assert.True(code == 0, errors);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+STATE\s+ADDRESS\s+PORT\s+NODE\s+AGE\s*$", lines[0]);
        var row = Assert.Single(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal));
        var port = server.Status!.Ports.Single(p => p.Name == AgonesApi.WebUIPortName).Port;
        Assert.Matches($@"^{name}\s+Ready\s+{Regex.Escape(server.Status.Address!)}\s+{port}\s+{Regex.Escape(server.Status.NodeName!)}\s+\d+[smh]", row);

        // The Fleet's columns too.
        (code, output, errors) = await KubectlAsync("get", "flt");
        Assert.True(code == 0, errors);
        Assert.Matches(@"^NAME\s+SCHEDULING\s+DESIRED\s+CURRENT\s+ALLOCATED\s+READY\s+AGE\s*\n" + KubectlFixture.Fleet + @"\s+Packed\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+[smh]", output);
    }

    [Fact]
    public async Task GameServers_of_portPolicy_None_report_the_containerPort_and_the_WebUI_answers_at_their_pod_IP()
    {
        var name = await ReadyNameAsync();
        var server = (await Host.ListAsync()).Single(s => s.Name == name);
        Assert.Equal("None", server.Spec.Ports.Single(p => p.Name == AgonesApi.WebUIPortName).PortPolicy);
        var (code, output, errors) = await KubectlAsync("get", "gs", name, "-o", "jsonpath={.status.ports[0].port}");
        Assert.True(code == 0, errors);
        Assert.Equal("7860", output);

        // Every runtime listens on 7860 at a pod IP of its own, as pods do; the URL the gateway uses answers.
        var ready = (await Host.ListAsync()).Where(s => s.State == GameServerState.Ready).ToList();
        Assert.Equal(ready.Count, ready.Select(s => RuntimeAddress.WebUI(s)!.Host).Distinct().Count());
        using var http = new HttpClient();
        using var options = await http.GetAsync(new Uri(RuntimeAddress.WebUI(server)!, "/sdapi/v1/options"));
        Assert.Equal(System.Net.HttpStatusCode.OK, options.StatusCode);
    }

    [Fact]
    public async Task Get_gs_for_all_namespaces_lists_them_with_their_namespace()
    {
        var name = await ReadyNameAsync();
        var (code, output, errors) = await KubectlAsync("get", "gs", "-A");
        Assert.True(code == 0, errors);
        Assert.Matches(@"^NAMESPACE\s+NAME\s+STATE\s+ADDRESS\s+PORT\s+NODE\s+AGE", output);
        Assert.Matches($@"(?m)^default\s+{name}\s+Ready\s", output);
    }

    [Fact]
    public async Task Describe_gs_shows_the_events_of_its_state_changes()
    {
        var name = await ReadyNameAsync();
        var (code, output, errors) = await KubectlAsync("describe", "gs", name);
        Assert.True(code == 0, errors);
        var events = output[output.IndexOf("Events:", StringComparison.Ordinal)..];
        Assert.Matches(@"Normal\s+Scheduled\s+\S+\s+gameserver-controller\s+Address and port populated", events);
        Assert.Matches(@"Normal\s+Ready\s+\S+\s+gameserver-controller\s+SDK.Ready\(\) complete", events);
    }

    [Fact]
    public async Task Create_f_of_a_GameServerAllocation_allocates_a_Ready_GameServer()
    {
        await ReadyNameAsync();
        // The example of Agones' docs (examples/simple-game-server/gameserverallocation.yaml), for this Fleet.
        var file = Path.Combine(Host.StorageRoot, $"allocation-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, $"""
            apiVersion: "allocation.agones.dev/v1"
            kind: GameServerAllocation
            spec:
              selectors:
                - matchLabels:
                    agones.dev/fleet: {KubectlFixture.Fleet}
            """);
        var (code, output, errors) = await KubectlAsync("create", "-f", file, "-o", "jsonpath={.status.state} {.status.gameServerName}");
        Assert.True(code == 0, errors);
        var parts = output.Split(' ');
        Assert.Equal(AllocationState.Allocated, parts[0]);
        var server = (await Host.ListAsync()).Single(s => s.Name == parts[1]);
        Assert.Equal(GameServerState.Allocated, server.State);
    }

    [Fact]
    public async Task Scale_fleet_sets_the_desired_replicas_and_the_GameServers_follow()
    {
        var before = (await Host.ListAsync()).Count(s => !IsLeaving(s));
        var wanted = before + 1;
        var (code, output, errors) = await KubectlAsync("scale", "fleet", KubectlFixture.Fleet, $"--replicas={wanted}");
        Assert.True(code == 0, errors);
        Assert.Equal($"fleet.agones.dev/{KubectlFixture.Fleet} scaled", output.Trim());
        var fleet = await Host.Agones.GetFleetAsync(CancellationToken.None);
        Assert.Equal(wanted, fleet!.Spec.Replicas);
        await Eventually.HoldsAsync(async () => (await Host.ListAsync()).Count(s => !IsLeaving(s)) == wanted, Patience,
            $"{wanted} GameServers after kubectl scale");

        (code, output, errors) = await KubectlAsync("get", "fleet", KubectlFixture.Fleet, "-o", "jsonpath={.spec.replicas}");
        Assert.True(code == 0, errors);
        Assert.Equal(wanted.ToString(System.Globalization.CultureInfo.InvariantCulture), output);
    }

    [Fact]
    public async Task Delete_gs_shuts_the_GameServer_down()
    {
        var name = await ReadyNameAsync();
        var (code, output, errors) = await KubectlAsync("delete", "gs", name);
        Assert.True(code == 0, errors);
        Assert.Equal($"gameserver.agones.dev \"{name}\" deleted", output.Trim());
        await Eventually.HoldsAsync(async () => (await Host.ListAsync()).All(s => s.Name != name), Patience, $"{name} gone after kubectl delete");

        // Control: a name that does not exist is refused with the API server's words.
        (code, _, errors) = await KubectlAsync("delete", "gs", name);
        Assert.Equal(1, code);
        Assert.Contains($"gameservers.agones.dev \"{name}\" not found", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_gs_watch_prints_the_state_change_of_an_allocation()
    {
        var name = await ReadyNameAsync();
        var info = Info("get", "gs", "-w");
        using var watch = Process.Start(info)!;
        var lines = Channel.CreateUnbounded<string>();
        watch.OutputDataReceived += (_, e) => { if (e.Data is not null) { lines.Writer.TryWrite(e.Data); } };
        watch.BeginOutputReadLine();
        try
        {
            using var cts = new CancellationTokenSource(Patience);
            await AwaitLineAsync(lines.Reader, $@"^{name}\s+Ready\s", cts.Token);

            var status = await Host.Agones.AllocateAsync(new GameServerAllocationSpec
            {
                Selectors = [new GameServerSelector { MatchLabels = new Dictionary<string, string> { [AgonesApi.FleetLabel] = KubectlFixture.Fleet } }],
            }, CancellationToken.None);
            Assert.Equal(AllocationState.Allocated, status.State);
            await AwaitLineAsync(lines.Reader, $@"^{status.GameServerName}\s+Allocated\s", cts.Token);
        }
        finally
        {
            watch.Kill();
            await watch.WaitForExitAsync();
        }
    }

    private static async Task AwaitLineAsync(ChannelReader<string> lines, string pattern, CancellationToken ct)
    {
        var seen = new List<string>();
        try
        {
            await foreach (var line in lines.ReadAllAsync(ct))
            {
                seen.Add(line);
                if (Regex.IsMatch(line, pattern))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // reported below
        }

        Assert.Fail($"kubectl get gs -w printed no line matching {pattern}; it printed:\n{string.Join('\n', seen)}");
    }

    private async Task<string> ReadyNameAsync() =>
        await Eventually.ReturnsAsync(async () => (await Host.ListAsync()).Where(s => s.State == GameServerState.Ready).Select(s => s.Name).FirstOrDefault(),
            Patience, "a Ready GameServer");

    private static bool IsLeaving(GameServer server) => server.State is { } state && GameServerLifecycle.IsTerminal(state);

    private ProcessStartInfo Info(params string[] args) => Kubectl.Info(fixture.Config, args);

    private Task<(int Code, string Output, string Errors)> KubectlAsync(params string[] args) => Kubectl.RunAsync(fixture.Config, args);
}
