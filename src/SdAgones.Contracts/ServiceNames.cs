namespace SdAgones.Contracts;

/// <summary>
/// The names of the platform's services: Aspire resource names in the AppHost, Deployment and ConfigMap names in the
/// manifests, and <c>OTEL_SERVICE_NAME</c> wherever they run.
/// </summary>
public static class ServiceNames
{
    public const string Gateway = "gateway";
    public const string Cruiser = "cruiser";
    public const string Agent = "agent";
    public const string WebUI = "webui";
    public const string LocalAgones = "localagones";
    public const string LocalIap = "localiap";

    /// <summary>The cache's connection string name (<c>ConnectionStrings:cache</c>).</summary>
    public const string Cache = "cache";
}
