namespace SdAgones.WebUI.Files;

internal static partial class FilesLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused /file= for a path this runtime does not have or may not serve: {Requested}")]
    public static partial void FileRefused(this ILogger logger, string requested);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload stored at {Path}: {Bytes} bytes")]
    public static partial void UploadStored(this ILogger logger, string path, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload of {Name} abandoned before the body ended")]
    public static partial void UploadAbandoned(this ILogger logger, string name);
}

internal static class FilesRegistration
{
    public static IServiceCollection AddFiles(this IServiceCollection services) =>
        services.AddSingleton<CreatedFiles>().AddSingleton<ServableFiles>().AddSingleton<UploadStore>();
}
