using System.Reflection;
using System.Runtime.Loader;

namespace SdAgones.LocalAgones.Pods;

/// <summary>How LocalAgones runs each runtime's containers (setting <c>Fleet:RuntimeHosting</c>).</summary>
public enum RuntimeHosting
{
    /// <summary>Two child processes per runtime (the WebUI and the agent), as a pod holds two containers.</summary>
    Process,

    /// <summary>
    /// Both hosted inside LocalAgones on their own ports, each runtime its own pair of hosts: the same Kubernetes API,
    /// the same SDK server and write path, a fraction of the memory and start-up CPU. For scale tests (100 runtimes on
    /// two cores), not for faults that kill a runtime's process.
    /// </summary>
    InProcess,
}

/// <summary>The <c>Fleet:RuntimeHosting</c> setting (section <c>Fleet</c>).</summary>
public sealed class RuntimeHostingOptions
{
    public RuntimeHosting RuntimeHosting { get; set; } = RuntimeHosting.Process;
}

/// <summary>Registers <see cref="RuntimeHostingOptions"/>; an unknown value stops LocalAgones naming the key.</summary>
public static class RuntimeHostingRegistration
{
    public static IServiceCollection AddRuntimeHosting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RuntimeHostingOptions>().Bind(configuration.GetSection(Fleets.FleetOptions.Section)).ValidateOnStart();
        return services;
    }
}

/// <summary>
/// Loads a runtime container's assembly (the stand-in WebUI, the agent) once per LocalAgones process and builds a host
/// from it per runtime. Assemblies LocalAgones already has (the shared framework, ServiceDefaults, OpenTelemetry, the
/// hosting abstractions) are shared, so <see cref="IHost"/> is one type on both sides; the rest come from the
/// container's own build folder.
/// </summary>
internal sealed class ContainerAssembly : AssemblyLoadContext
{
    private static readonly HashSet<string> Shared = new(
        ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension).OfType<string>(),
        StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, ContainerAssembly> Loaded = new(StringComparer.Ordinal);
    private readonly AssemblyDependencyResolver resolver;
    private readonly Func<string[], IHost> build;

    private ContainerAssembly(string path, string builderType, string builderMethod)
        : base(Path.GetFileNameWithoutExtension(path))
    {
        resolver = new AssemblyDependencyResolver(path);
        var assembly = LoadFromAssemblyPath(path);
        var method = assembly.GetType(builderType, throwOnError: true)!.GetMethod(builderMethod, BindingFlags.Public | BindingFlags.Static, [typeof(string[])])
            ?? throw new InvalidOperationException($"{path} has no public static {builderType}.{builderMethod}(string[])");
        build = args => (IHost)method.Invoke(null, [args])!;
    }

    /// <summary>Builds one host of the container in <paramref name="path"/> from command-line style arguments.</summary>
    public static IHost Build(string path, string builderType, string builderMethod, string[] args)
    {
        ContainerAssembly loaded;
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(path, out loaded!))
            {
                loaded = new ContainerAssembly(path, builderType, builderMethod);
                Loaded[path] = loaded;
            }
        }

        return loaded.build(args);
    }

    protected override Assembly? Load(AssemblyName assemblyName) =>
        assemblyName.Name is { } name && Shared.Contains(name)
            ? null
            : resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
