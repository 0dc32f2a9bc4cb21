using System.Globalization;
using Microsoft.Extensions.Options;

namespace SdAgones.Agent;

/// <summary>
/// What the agent needs to know about its pod: where the WebUI and the Agones SDK sidecar listen, where the shared
/// volume is mounted, and how often to ping and poll. Read from configuration, checked at start-up.
/// </summary>
public sealed class AgentOptions
{
    public const string WebUIUrlKey = SettingKeys.WebUIUrl;
    public const string StorageRootKey = SettingKeys.StorageRoot;
    public const string WorkspaceKey = SettingKeys.StorageWorkspace;
    public const string OutputIntervalKey = "Agent:OutputInterval";
    public const string SdkPortKey = AgonesApi.SdkHttpPortVariable;
    public const string HealthIntervalKey = SettingKeys.AgentHealthInterval;
    public const string HealthPeriodKey = SettingKeys.AgentHealthPeriod;
    public const string BusyPollIntervalKey = "Agent:BusyPollInterval";
    public const string ReadyRetryAfterKey = "Agent:ReadyRetryAfter";

    /// <summary>The WebUI in the same pod (A1111 started with <c>--listen --api --port 7860</c>).</summary>
    public Uri WebUIUrl { get; set; } = new($"http://127.0.0.1:{RuntimeFleet.WebUIPort}/");

    /// <summary>The shared volume; the agent touches only <c>users/&lt;its person&gt;</c> below it. The WebUI never mounts it.</summary>
    public string StorageRoot { get; set; } = RuntimeFleet.StorageRoot;

    /// <summary>
    /// The pod-local folder (an emptyDir) that is the WebUI's data folder: its outputs appear under <c>outputs/</c>, the
    /// person's inputs are copied to <c>inputs/</c>.
    /// </summary>
    public string Workspace { get; set; } = RuntimeFleet.Workspace;

    /// <summary>Time between looks for new outputs in the workspace to move to the person's folder.</summary>
    public TimeSpan OutputInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The Agones SDK sidecar's REST port (Agones sets <c>AGONES_SDK_HTTP_PORT</c> in every container).</summary>
    public int SdkPort { get; set; } = 9358;

    /// <summary>Time between <c>/health</c> pings; must be shorter than <see cref="HealthPeriod"/>.</summary>
    public TimeSpan HealthInterval { get; set; } = RuntimeHealth.PingInterval;

    /// <summary>The Fleet's <c>health.periodSeconds</c>: a ping must arrive within each period.</summary>
    public TimeSpan HealthPeriod { get; set; } = RuntimeHealth.Period;

    /// <summary>Time between looks at the WebUI's progress when reporting busy.</summary>
    public TimeSpan BusyPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long after asking for Ready the agent waits before asking again, and only if the GameServer has not even
    /// reached RequestReady (the first ask was lost). The SDK applies a Ready after 500 ms by default.
    /// </summary>
    public TimeSpan ReadyRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    public Uri SdkUrl => new($"http://127.0.0.1:{SdkPort.ToString(CultureInfo.InvariantCulture)}/");
}

/// <summary>Reads <see cref="AgentOptions"/> by key and rejects values that cannot work, naming the key.</summary>
internal sealed class AgentOptionsSetup(IConfiguration configuration) : IConfigureOptions<AgentOptions>, IValidateOptions<AgentOptions>
{
    public void Configure(AgentOptions options)
    {
        if (Uri.TryCreate(configuration[AgentOptions.WebUIUrlKey], UriKind.Absolute, out var url))
        {
            options.WebUIUrl = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        }

        options.StorageRoot = configuration[AgentOptions.StorageRootKey] ?? options.StorageRoot;
        options.Workspace = configuration[AgentOptions.WorkspaceKey] ?? options.Workspace;
        if (int.TryParse(configuration[AgentOptions.SdkPortKey], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            options.SdkPort = port;
        }

        options.HealthInterval = Duration(AgentOptions.HealthIntervalKey) ?? options.HealthInterval;
        options.HealthPeriod = Duration(AgentOptions.HealthPeriodKey) ?? options.HealthPeriod;
        options.BusyPollInterval = Duration(AgentOptions.BusyPollIntervalKey) ?? options.BusyPollInterval;
        options.OutputInterval = Duration(AgentOptions.OutputIntervalKey) ?? options.OutputInterval;
        options.ReadyRetryAfter = Duration(AgentOptions.ReadyRetryAfterKey) ?? options.ReadyRetryAfter;
    }

    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var failures = new List<string>();
        var rawUrl = configuration[AgentOptions.WebUIUrlKey];
        if (rawUrl is not null && (!Uri.TryCreate(rawUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            failures.Add(SettingProblem.Line(AgentOptions.WebUIUrlKey, rawUrl, "is not an http(s) URL; e.g. http://127.0.0.1:7860/"));
        }

        if (string.IsNullOrWhiteSpace(options.StorageRoot) || options.StorageRoot.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add(SettingProblem.Line(AgentOptions.StorageRootKey, options.StorageRoot, "is not a folder path; e.g. /sd_dir"));
        }

        if (string.IsNullOrWhiteSpace(options.Workspace) || options.Workspace.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add(SettingProblem.Line(AgentOptions.WorkspaceKey, options.Workspace, "is not a folder path; e.g. /workspace"));
        }
        else if (!string.IsNullOrWhiteSpace(options.StorageRoot) && Overlap(options.Workspace, options.StorageRoot))
        {
            failures.Add(SettingProblem.Line(AgentOptions.WorkspaceKey, options.Workspace,
                $"is not allowed; use a pod-local folder apart from {AgentOptions.StorageRootKey} (\"{options.StorageRoot}\"), neither inside the other, as the WebUI sees all of the workspace; e.g. /workspace"));
        }

        var rawPort = configuration[AgentOptions.SdkPortKey];
        if (rawPort is not null && (!int.TryParse(rawPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535))
        {
            failures.Add(SettingProblem.Line(AgentOptions.SdkPortKey, rawPort, "is not a port number; use 1 to 65535, e.g. 9358"));
        }

        CheckDuration(AgentOptions.HealthIntervalKey, failures);
        CheckDuration(AgentOptions.HealthPeriodKey, failures);
        CheckDuration(AgentOptions.BusyPollIntervalKey, failures);
        CheckDuration(AgentOptions.OutputIntervalKey, failures);
        CheckDuration(AgentOptions.ReadyRetryAfterKey, failures);
        if (options.HealthInterval >= options.HealthPeriod)
        {
            failures.Add(SettingProblem.Line(AgentOptions.HealthIntervalKey, options.HealthInterval.ToString("c", CultureInfo.InvariantCulture),
                $"is not allowed; use less than {AgentOptions.HealthPeriodKey} ({options.HealthPeriod:c}), or Agones marks the runtime Unhealthy"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool Overlap(string a, string b)
    {
        var first = Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)) + Path.DirectorySeparatorChar;
        var second = Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)) + Path.DirectorySeparatorChar;
        return first.StartsWith(second, StringComparison.Ordinal) || second.StartsWith(first, StringComparison.Ordinal);
    }

    private TimeSpan? Duration(string key) =>
        TimeSpan.TryParse(configuration[key], CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero ? value : null;

    private void CheckDuration(string key, List<string> failures)
    {
        var raw = configuration[key];
        if (raw is not null && Duration(key) is null)
        {
            failures.Add(SettingProblem.Line(key, raw, "is not a positive time span; use hh:mm:ss, e.g. 00:00:02"));
        }
    }
}

internal static class AgentOptionsRegistration
{
    public static HostApplicationBuilder AddAgentOptions(this HostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AgentOptionsSetup>();
        builder.Services.AddSingleton<IConfigureOptions<AgentOptions>>(sp => sp.GetRequiredService<AgentOptionsSetup>());
        builder.Services.AddSingleton<IValidateOptions<AgentOptions>>(sp => sp.GetRequiredService<AgentOptionsSetup>());
        builder.Services.AddOptions<AgentOptions>().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        return builder;
    }
}
