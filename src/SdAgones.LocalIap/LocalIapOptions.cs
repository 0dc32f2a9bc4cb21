namespace SdAgones.LocalIap;

/// <summary>Where LocalIap forwards and the audience it signs for (section <c>LocalIap</c>); both must match the gateway's.</summary>
public sealed class LocalIapOptions
{
    public const string Section = "LocalIap";

    /// <summary>The gateway behind it, e.g. <c>http://127.0.0.1:5100</c>.</summary>
    public string? Upstream { get; set; }

    /// <summary>The <c>aud</c> claim; the gateway's <c>Identity:Iap:Audience</c>.</summary>
    public string? Audience { get; set; }
}
