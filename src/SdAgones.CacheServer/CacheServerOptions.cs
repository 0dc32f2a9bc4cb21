using System.ComponentModel.DataAnnotations;

namespace SdAgones.CacheServer;

/// <summary>Where the embedded cache listens; the AppHost sets <c>Cache__Port</c> to the endpoint it allocated.</summary>
public sealed class CacheServerOptions
{
    public const string Section = "Cache";

    [Range(1, 65535)]
    public int Port { get; set; } = 6379;

    [Required]
    public string Bind { get; set; } = "127.0.0.1";
}
