using k8s;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using SdAgones.LocalAgones;
using SdAgones.Runtimes.Agones;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// LocalAgones hosted in the test process on a free port; its runtimes are real child processes. Its own log (from
/// Information, and every line its runtimes' processes write) is kept in <see cref="Log"/>, so a failing test can tell
/// what LocalAgones did to a runtime (missed health pings, a deletion, a process that exited).
/// </summary>
public sealed class LocalAgonesHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalAgonesHost(WebApplication app, Uri url, string storageRoot, FakeLogCollector log)
    {
        this.app = app;
        Log = log;
        Url = url;
        StorageRoot = storageRoot;
        Client = new LocalAgonesClient(url);
    }

    public Uri Url { get; }
    public string StorageRoot { get; }
    public LocalAgonesClient Client { get; }
    public IKubernetes Kubernetes => Client.Kubernetes;
    public AgonesClient Agones => Client.Agones;
    public IServiceProvider Services => app.Services;

    /// <summary>What LocalAgones logged, oldest first.</summary>
    public FakeLogCollector Log { get; }

    /// <summary>The kept log as lines with times, for a failure message.</summary>
    public string LogText() => string.Join('\n', Log.GetSnapshot().Select(r =>
        $"{r.Timestamp:HH:mm:ss.fff} {r.Level} {r.Category?[(r.Category.LastIndexOf('.') + 1)..]}: {r.Message}{(r.Exception is null ? "" : " " + r.Exception.Message)}"));

    public static async Task<LocalAgonesHost> StartAsync(int buffer, int max, params string[] extra)
    {
        var storage = Directory.CreateTempSubdirectory("sdagones-storage-").FullName;
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            "--Fleet:BufferSize", buffer.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Fleet:MinReplicas", "0",
            "--Fleet:MaxReplicas", max.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Fleet:StorageRoot", storage,
            "--Fleet:WebUIStepDelay", "00:00:00.002",
            "--Logging:LogLevel:Default", "Warning",
            .. extra,
        ];
        var log = new FakeLogCollector();
        var app = LocalAgonesApp.Build(args, builder => builder.Logging
            .AddProvider(new FakeLoggerProvider(log))
            .AddFilter<FakeLoggerProvider>("SdAgones", LogLevel.Information)
            .AddFilter<FakeLoggerProvider>("SdAgones.LocalAgones.Pods", LogLevel.Debug)); // the runtimes' own output
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new LocalAgonesHost(app, new Uri(address), storage, log);
    }

    /// <summary>Writes a kubeconfig that points the real kubectl at this LocalAgones (namespace default) and returns its path.</summary>
    public Task<string> WriteKubeconfigAsync() => Kubectl.WriteConfigAsync(Url, Path.Combine(StorageRoot, "kubeconfig"));

    public Task<List<GameServer>> ListAsync(string? selector = null) => Client.ListAsync(selector);

    public Task WaitForReadyAsync(int count, TimeSpan? timeout = null) => Client.WaitForReadyAsync(count, timeout);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Client.Dispose();
        try
        {
            Directory.Delete(StorageRoot, recursive: true);
        }
        catch (IOException)
        {
            // a runtime may still be writing; the temp folder is cleaned by the OS
        }
    }
}
