using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Tests.Deployment;

/// <summary>
/// The gateway's and cruiser's Roles grant exactly what their code asks of Agones: the verbs are read from the code
/// (which AgonesClient methods each service calls, and which Kubernetes API call each method makes), so a new call
/// without its verb, or a verb no code uses, fails here rather than with a 403 in production or as a needless grant.
/// </summary>
public sealed partial class AgonesRbacTests
{
    [Theory]
    [InlineData("gateway")]
    [InlineData("cruiser")]
    public void The_role_grants_exactly_the_verbs_the_service_uses(string service)
    {
        var used = UsedPermissions(service);
        var role = KubernetesYaml.Deserialize<V1Role>(DeploymentFiles.ReadManifest($"overlays/gke/{service}-role.yaml"), strict: true);
        var granted = role.Rules
            .SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.SelectMany(res => r.Verbs.Select(v => $"{g}/{res}:{v}"))))
            .ToHashSet(StringComparer.Ordinal);

        Assert.True(used.Count > 0, $"No Agones calls found for {service}; the code scan is broken.");
        Assert.True(used.SetEquals(granted),
            $"Role sdagones-{service}: the code uses [{string.Join(", ", used.Order(StringComparer.Ordinal))}], "
            + $"the Role grants [{string.Join(", ", granted.Order(StringComparer.Ordinal))}].");
    }

    [Fact]
    public void The_scan_knows_every_call_of_the_client()
    {
        // Positive control for the scan itself: every public AgonesClient method maps to one API permission.
        var methods = ClientMethods();
        Assert.Equal("allocation.agones.dev/gameserverallocations:create", methods["AllocateAsync"]);
        Assert.Equal("agones.dev/gameservers:watch", methods["WatchGameServersAsync"]);
        Assert.Equal("agones.dev/gameservers:patch", methods["PatchGameServerMetadataAsync"]);
        Assert.Equal("agones.dev/fleets:get", methods["GetFleetAsync"]);
    }

    /// <summary>"group/resource:verb" for every AgonesClient call reachable from the service's own code.</summary>
    private static HashSet<string> UsedPermissions(string service)
    {
        var methods = ClientMethods();
        var sources = ServiceSources(service);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in sources.Values)
        {
            foreach (Match variable in ClientVariable().Matches(text))
            {
                var calls = new Regex($@"\b{variable.Groups[1].Value}\.(\w+Async)\(");
                foreach (Match call in calls.Matches(text))
                {
                    Assert.True(methods.TryGetValue(call.Groups[1].Value, out var permission), $"{service} calls AgonesClient.{call.Groups[1].Value}, which the scan does not know.");
                    used.Add(permission);
                }
            }
        }

        return used;
    }

    /// <summary>The service's files, plus the shared SdAgones.Runtimes types its code refers to (transitively).</summary>
    private static Dictionary<string, string> ServiceSources(string service)
    {
        var src = Path.Combine(DeploymentFiles.Root, "src");
        var project = char.ToUpperInvariant(service[0]) + service[1..];
        var included = Directory.EnumerateFiles(Path.Combine(src, "SdAgones." + project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToDictionary(f => f, File.ReadAllText);
        var shared = Directory.EnumerateFiles(Path.Combine(src, "SdAgones.Runtimes"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && Path.GetFileName(f) != "AgonesClient.cs")
            .ToDictionary(f => f, File.ReadAllText);

        bool added;
        do
        {
            added = false;
            foreach (var (file, text) in shared)
            {
                var type = Path.GetFileNameWithoutExtension(file);
                if (!included.ContainsKey(file) && included.Values.Any(t => Regex.IsMatch(t, $@"\b{type}\b")))
                {
                    included[file] = text;
                    added = true;
                }
            }
        }
        while (added);

        return included;
    }

    /// <summary>Each public AgonesClient method and the one Kubernetes API permission its body needs.</summary>
    private static Dictionary<string, string> ClientMethods()
    {
        var text = File.ReadAllText(Path.Combine(DeploymentFiles.Root, "src", "SdAgones.Runtimes", "Agones", "AgonesClient.cs"));
        var starts = PublicMethod().Matches(text).ToList();
        var methods = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < starts.Count; i++)
        {
            var end = i + 1 < starts.Count ? starts[i + 1].Index : text.Length;
            var body = text[starts[i].Index..end];
            var call = KubernetesCall().Match(body);
            if (!call.Success)
            {
                continue;
            }

            var verb = call.Groups[1].Value switch
            {
                "Create" => "create",
                "Get" => "get",
                "List" => "list",
                "WatchList" => "watch",
                "Delete" => "delete",
                "Patch" => "patch",
                var other => throw new InvalidOperationException($"AgonesClient.{starts[i].Groups[1].Value} makes a {other} call the scan does not map."),
            };
            var group = body.Contains("AgonesApi.AllocationGroup", StringComparison.Ordinal) ? AgonesApi.AllocationGroup : AgonesApi.Group;
            var resource = Resource().Match(body).Groups[1].Value switch
            {
                "GameServers" => AgonesApi.GameServers,
                "Fleets" => AgonesApi.Fleets,
                "Allocations" => AgonesApi.Allocations,
                var other => throw new InvalidOperationException($"AgonesClient.{starts[i].Groups[1].Value} uses resource '{other}'."),
            };
            methods[starts[i].Groups[1].Value] = $"{group}/{resource}:{verb}";
        }

        return methods;
    }

    [GeneratedRegex(@"public\s+(?:async\s+)?[\w<>?,\s()]+?\s(\w+Async)\(")]
    private static partial Regex PublicMethod();

    [GeneratedRegex(@"CustomObjects\.(Create|Get|List|WatchList|Delete|Patch)NamespacedCustomObject")]
    private static partial Regex KubernetesCall();

    [GeneratedRegex(@"AgonesApi\.(GameServers|Fleets|Allocations)\b")]
    private static partial Regex Resource();

    [GeneratedRegex(@"\bAgonesClient\s+(\w+)\s*[,)=;]")]
    private static partial Regex ClientVariable();
}
