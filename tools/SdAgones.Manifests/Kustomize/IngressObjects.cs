using k8s.Models;
using SdAgones.Manifests.CustomResources;
using SdAgones.Manifests.Settings;

namespace SdAgones.Manifests.Kustomize;

/// <summary>The way in: the HTTPS Ingress on its static IP, its managed certificate, and IAP on the gateway's backend.</summary>
internal static class IngressObjects
{
    public const string BackendConfigName = "gateway-backendconfig";
    public const string CertificateName = "sd-agones-cert";
    public const string IngressName = "sd-agones";

    /// <summary>
    /// IAP on the gateway's backend service; a one-hour timeout so Gradio's WebSocket/SSE streams and large uploads
    /// are not cut at the load balancer's 30 s default; the health check on /healthz, which needs no identity.
    /// </summary>
    public static GkeBackendConfig BackendConfig(DeploySettings settings) => new()
    {
        ApiVersion = "cloud.google.com/v1",
        Kind = "BackendConfig",
        Metadata = Nodes.Meta(BackendConfigName),
        Spec = new BackendConfigSpec
        {
            TimeoutSec = 3600,
            ConnectionDraining = new ConnectionDraining { DrainingTimeoutSec = 60 },
            HealthCheck = new BackendHealthCheck
            {
                Type = "HTTP",
                RequestPath = "/healthz",
                Port = 8080,
                CheckIntervalSec = 10,
                TimeoutSec = 5,
                HealthyThreshold = 1,
                UnhealthyThreshold = 3,
            },
            // Without oauthclientCredentials IAP uses a Google-managed OAuth client
            // (https://cloud.google.com/iap/docs/enabling-gke-howto).
            Iap = new BackendIap
            {
                Enabled = true,
                OauthclientCredentials = settings.Iap.GoogleManagedClient ? null : new OAuthClientCredentials { SecretName = settings.Iap.OAuthSecretName },
            },
        },
    };

    public static V1Ingress Ingress(DeploySettings settings) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = Nodes.Meta(IngressName, annotations: new Dictionary<string, string>
        {
            ["kubernetes.io/ingress.class"] = "gce",
            ["kubernetes.io/ingress.global-static-ip-name"] = settings.Ingress.StaticIpName,
            ["networking.gke.io/managed-certificates"] = CertificateName,
        }),
        Spec = new V1IngressSpec
        {
            Rules =
            [
                new V1IngressRule
                {
                    Host = settings.Ingress.Domain,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths =
                        [
                            new V1HTTPIngressPath
                            {
                                Path = "/",
                                PathType = "Prefix",
                                Backend = new V1IngressBackend
                                {
                                    Service = new V1IngressServiceBackend { Name = ServiceNames.Gateway, Port = new V1ServiceBackendPort { Number = 8080 } },
                                },
                            },
                        ],
                    },
                },
            ],
        },
    };

    public static GkeManagedCertificate ManagedCertificate(DeploySettings settings) => new()
    {
        ApiVersion = "networking.gke.io/v1",
        Kind = "ManagedCertificate",
        Metadata = Nodes.Meta(CertificateName),
        Spec = new ManagedCertificateSpec { Domains = [settings.Ingress.Domain] },
    };
}
