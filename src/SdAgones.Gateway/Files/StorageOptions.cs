using Microsoft.Extensions.Options;

namespace SdAgones.Gateway.Files;

/// <summary>
/// <c>Storage:Root</c>, the shared volume "My files" reads people's folders from; checked at start-up, so a relative
/// path stops the gateway with one line instead of failing when the pages are mapped. Unset: "My files" answers 503.
/// </summary>
internal sealed class StorageOptions
{
    public const string Section = "Storage";
    public const string RootKey = Section + ":" + nameof(Root);

    public string? Root { get; set; }
}

internal static class StorageRegistration
{
    public static WebApplicationBuilder AddMyFiles(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().Bind(builder.Configuration.GetSection(StorageOptions.Section))
            .ValidateSetting(StorageOptions.RootKey, o => o.Root, o => o.Root is null || (o.Root.Length > 0 && Path.IsPathFullyQualified(o.Root)),
                "use the shared volume's absolute folder path, e.g. /sd_dir")
            .ValidateOnStart();
        return builder;
    }

    public static string? StorageRoot(this IServiceProvider services) => services.GetRequiredService<IOptions<StorageOptions>>().Value.Root;
}
