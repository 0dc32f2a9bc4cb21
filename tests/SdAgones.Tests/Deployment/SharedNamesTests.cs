using System.Reflection;
using System.Text.Json;
using k8s;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SdAgones.Agent;
using SdAgones.AppHost;
using SdAgones.Manifests.CustomResources;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// The names gateway, cruiser, agent, LocalAgones and the manifests agree on live once, in SdAgones.Contracts: the
/// manifests tool types none of them itself, what it deploys is what the agent reads, and the in-pod agent ships
/// without the cache client.
/// </summary>
public sealed class SharedNamesTests
{
    private static readonly string ToolPath = Path.Combine(DeploymentFiles.Root, "tools", "SdAgones.Manifests");

    [Fact]
    public void The_manifests_tool_names_no_label_annotation_port_or_setting_by_hand()
    {
        var shared = SharedNames();
        var sources = Directory.EnumerateFiles(ToolPath, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.True(sources.Count > 10, $"expected the manifests tool's sources under {ToolPath}, found {sources.Count} files");

        var handTyped = new List<string>();
        var literals = 0;
        foreach (var file in sources)
        {
            foreach (var (text, line) in StringLiterals(File.ReadAllText(file)))
            {
                literals++;
                // "--Platform:IdleTimeout=" and "WebUI__Url=" name a setting as surely as the bare key does.
                if (shared.TryGetValue(text, out var owner) || shared.TryGetValue(Bare(text), out owner))
                {
                    handTyped.Add($"{Path.GetRelativePath(DeploymentFiles.Root, file)}:{line}: \"{text}\" is {owner}");
                }
            }
        }

        Assert.True(literals > 100, $"expected the tool's string literals to be read, found {literals}");
        Assert.True(handTyped.Count == 0, "Use the SdAgones.Contracts constant instead:\n  " + string.Join("\n  ", handTyped));
    }

    [Fact]
    public void The_shared_names_include_the_labels_ports_and_settings_the_manifests_use()
    {
        // The control for the test above: the values it looks for are the ones a hand-typed copy would have.
        var shared = SharedNames();
        foreach (var name in new[] { "agones.dev/fleet", "user", "sd", "sd-agones-fleet", "WebUI__Url", "Storage__Root", "Idle__Timeout", "OTEL_SERVICE_NAME" })
        {
            Assert.True(shared.ContainsKey(name), $"\"{name}\" is not among the shared names");
        }
    }

    [Fact]
    public void The_Fleet_deploys_what_the_agent_reads()
    {
        var fleet = KubernetesYaml.Deserialize<AgonesFleet>(DeploymentFiles.ReadManifest("overlays/gke/fleet.yaml"), strict: true);
        var gameServer = fleet.Spec?.Template?.Spec ?? throw new InvalidOperationException("fleet.yaml has no GameServer template");
        var agent = new AgentOptions();

        // Health: the agent's period is the Fleet's, and it pings well inside it.
        Assert.Equal(agent.HealthPeriod, TimeSpan.FromSeconds(gameServer.Health?.PeriodSeconds ?? 5));
        Assert.True(agent.HealthInterval < agent.HealthPeriod, $"the agent pings every {agent.HealthInterval}, the Fleet's period is {agent.HealthPeriod}");

        // The WebUI's port is found by the name the gateway looks for, at the port the agent calls.
        var port = Assert.Single(gameServer.Ports ?? []);
        Assert.Equal((AgonesApi.WebUIPortName, agent.WebUIUrl.Port), (port.Name, port.ContainerPort ?? 0));

        // Every variable the agent's container is given is a key the agent reads, with the value it would take anyway.
        var container = Assert.Single(gameServer.Template?.Spec?.Containers ?? [], c => c.Name == RuntimeFleet.AgentContainer);
        var environment = (container.Env ?? []).ToDictionary(e => e.Name, e => e.Value, StringComparer.Ordinal);
        Assert.Equal(agent.WebUIUrl, new Uri(environment[SettingKeys.EnvironmentName(AgentOptions.WebUIUrlKey)] + "/"));
        Assert.Equal(agent.StorageRoot, environment[SettingKeys.EnvironmentName(AgentOptions.StorageRootKey)]);
        Assert.Equal(agent.Workspace, environment[SettingKeys.EnvironmentName(AgentOptions.WorkspaceKey)]);
    }

    [Fact]
    public void The_in_pod_agent_ships_without_the_cache_client()
    {
        var agent = Dependencies("SdAgones.Agent");
        var gateway = Dependencies("SdAgones.Gateway");

        // Control: the same reading finds the cache client where it belongs, and finds the agent's own references.
        Assert.Contains(gateway, d => d.StartsWith("StackExchange.Redis/", StringComparison.Ordinal));
        Assert.Contains(agent, d => d.StartsWith("SdAgones.Contracts/", StringComparison.Ordinal));

        Assert.DoesNotContain(agent, d => d.StartsWith("StackExchange.Redis/", StringComparison.Ordinal));
        Assert.DoesNotContain(agent, d => d.StartsWith("KubernetesClient/", StringComparison.Ordinal));
        Assert.DoesNotContain(agent, d => d.StartsWith("SdAgones.Runtimes/", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_platform_setting_in_the_map_is_an_AppHost_setting_and_reaches_a_service()
    {
        var platform = new PlatformSettings();
        foreach (var setting in PlatformSettingMap.All)
        {
            Assert.NotNull(typeof(PlatformSettings).GetProperty(setting.Name));
            Assert.NotEqual("", platform.ValueOf(setting));
            Assert.NotEmpty(setting.Services);
        }

        // Production carries exactly what deploy/settings.json decides, under the names the published manifest uses.
        var settings = DeploymentFiles.Settings();
        Assert.Equal(
            [("Admin__Users", settings.Gateway.AdminUsers), ("Idle__Timeout", settings.Idle.Timeout),
             ("Usage__DailyQuota", null), ("Usage__FairShare", "false"), ("Usage__WeeklyQuota", null)],
            PlatformSettingMap.Deployed.Select(s => (s.EnvironmentName, settings.ValueOf(s))).Order());
        Assert.Equal(
            ["Admin__Users", "Idle__CheckInterval", "Idle__Timeout", "Reconcile__Interval", "Usage__DailyQuota", "Usage__FairShare", "Usage__WeeklyQuota"],
            PlatformSettingMap.For(ServiceNames.Gateway, production: true).Select(s => s.EnvironmentName).Order(StringComparer.Ordinal));
        Assert.Contains(SettingKeys.EnvironmentName(SettingKeys.StorageRoot),
            PlatformSettingMap.For(ServiceNames.Gateway, production: false).Select(s => s.EnvironmentName));
    }

    /// <summary>
    /// Every name SdAgones.Contracts holds (labels, annotations, the port name, the fleet, containers, mounts, service
    /// names, setting keys and their environment variables), with the constant that owns it. Agones' API version ("v1")
    /// is left out: core Kubernetes objects share it.
    /// </summary>
    private static Dictionary<string, string> SharedNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in new[] { typeof(AgonesApi), typeof(RuntimeFleet), typeof(SettingKeys), typeof(ServiceNames) })
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static)
                         .Where(f => f.IsLiteral && f.FieldType == typeof(string) && !(type == typeof(AgonesApi) && f.Name == nameof(AgonesApi.Version))))
            {
                var value = (string)field.GetRawConstantValue()!;
                names.TryAdd(value, $"{type.Name}.{field.Name}");
                if (type == typeof(SettingKeys))
                {
                    names.TryAdd(SettingKeys.EnvironmentName(value), $"SettingKeys.EnvironmentName(SettingKeys.{field.Name})");
                }
            }
        }

        foreach (var setting in PlatformSettingMap.All)
        {
            names.TryAdd(setting.PlatformKey, $"the PlatformKey of PlatformSettingMap's {setting.Name}");
        }

        return names;
    }

    private static string Bare(string text) =>
        (text.StartsWith("--", StringComparison.Ordinal) ? text[2..] : text).TrimEnd('=');

    /// <summary>The text of every string literal and of every interpolated string's literal parts, with its line.</summary>
    private static IEnumerable<(string Text, int Line)> StringLiterals(string source)
    {
        var root = CSharpSyntaxTree.ParseText(source).GetRoot();
        foreach (var node in root.DescendantNodes())
        {
            var (text, token) = node switch
            {
                LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression) => (literal.Token.ValueText, literal.Token),
                InterpolatedStringTextSyntax part => (part.TextToken.ValueText, part.TextToken),
                _ => (null, default(SyntaxToken)),
            };
            if (text is not null)
            {
                yield return (text, token.GetLocation().GetLineSpan().StartLinePosition.Line + 1);
            }
        }
    }

    /// <summary>The libraries a project's build output lists in its deps.json ("name/version").</summary>
    private static IReadOnlyList<string> Dependencies(string project)
    {
        var path = Path.Combine(DeploymentFiles.Root, "src", project, "bin", DeploymentFiles.BuildConfiguration, "net10.0", project + ".deps.json");
        Assert.True(File.Exists(path), $"{path} does not exist: build the solution first");
        using var deps = JsonDocument.Parse(File.ReadAllText(path));
        return [.. deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name)];
    }
}
