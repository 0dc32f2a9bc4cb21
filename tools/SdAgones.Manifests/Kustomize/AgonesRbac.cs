using k8s.Models;

namespace SdAgones.Manifests.Kustomize;

/// <summary>Least-privilege access to Agones for the gateway and the cruiser: a ServiceAccount, a Role and its binding each.</summary>
internal static class AgonesRbac
{
    public static V1ServiceAccount ServiceAccount(string service) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = Nodes.Meta(ServicePods.ServiceAccountName(service), new Dictionary<string, string> { ["app"] = service }),
    };

    /// <summary>
    /// Only what the service's code asks of AgonesClient: the gateway gets, lists, watches (GameServerWatcher) and
    /// deletes GameServers and creates allocations; the cruiser gets, lists and deletes GameServers.
    /// </summary>
    public static V1Role Role(string service, IList<string> gameServerVerbs, bool allocates)
    {
        var rules = new List<V1PolicyRule>
        {
            new() { ApiGroups = [AgonesApi.Group], Resources = [AgonesApi.GameServers], Verbs = gameServerVerbs },
        };
        if (allocates)
        {
            rules.Add(new V1PolicyRule { ApiGroups = [AgonesApi.AllocationGroup], Resources = [AgonesApi.Allocations], Verbs = ["create"] });
        }

        return new V1Role
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "Role",
            Metadata = Nodes.Meta(ServicePods.ServiceAccountName(service)),
            Rules = rules,
        };
    }

    public static V1RoleBinding RoleBinding(string service, string ns) => new()
    {
        ApiVersion = "rbac.authorization.k8s.io/v1",
        Kind = "RoleBinding",
        Metadata = Nodes.Meta(ServicePods.ServiceAccountName(service)),
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = ServicePods.ServiceAccountName(service) },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = ServicePods.ServiceAccountName(service), NamespaceProperty = ns }],
    };
}
