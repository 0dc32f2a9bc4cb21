namespace SdAgones.Manifests.CustomResources;

// Typed models of the custom resources manifests/ uses, written from their documentation: Agones' Fleet and
// FleetAutoscaler reference (agones.dev/site/docs/reference/fleet, .../gameserver, .../fleetautoscaler), GKE's
// BackendConfig and ManagedCertificate, Managed Service for Prometheus' PodMonitoring. The generator builds the Fleet,
// the BackendConfig and the ManagedCertificate from them; the tests read every generated custom resource back into
// them strictly, so a field these documents do not have fails a test, as it would be dropped (or rejected) by the
// cluster. Integer-or-percent fields are strings.

/// <summary>Which model reads which custom resource (apiVersion/kind).</summary>
internal static class CustomResourceModels
{
    public static readonly IReadOnlyDictionary<string, Type> Types = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        ["agones.dev/v1/Fleet"] = typeof(AgonesFleet),
        ["autoscaling.agones.dev/v1/FleetAutoscaler"] = typeof(AgonesFleetAutoscaler),
        ["cloud.google.com/v1/BackendConfig"] = typeof(GkeBackendConfig),
        ["networking.gke.io/v1/ManagedCertificate"] = typeof(GkeManagedCertificate),
        ["monitoring.googleapis.com/v1/PodMonitoring"] = typeof(GmpPodMonitoring),
    };
}
