namespace SdAgones.Tests.Infrastructure;

/// <summary>Where the repository and the services' own build outputs are, so tests can run them as real processes.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built service, e.g. <c>src/SdAgones.Gateway/bin/Debug/net10.0/SdAgones.Gateway.dll</c>.</summary>
    public static string ServiceAssembly(string project)
    {
        var testOutput = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(testOutput);
        var configuration = Path.GetFileName(Path.GetDirectoryName(testOutput)!);
        return Path.Combine(Root, "src", project, "bin", configuration, framework, project + ".dll");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SdAgones.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SdAgones.slnx not found above " + AppContext.BaseDirectory);
    }
}
