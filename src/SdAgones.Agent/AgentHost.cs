using SdAgones.Agent.Busy;
using SdAgones.Agent.Health;
using SdAgones.Agent.Readiness;
using SdAgones.Agent.Sdk;
using SdAgones.Agent.Users;
using SdAgones.Agent.WebUI;

namespace SdAgones.Agent;

/// <summary>
/// Builds the in-pod agent from command-line style arguments: its own process in a pod, or one host of many when
/// LocalAgones runs runtimes in-process for scale tests.
/// </summary>
public static class AgentHost
{
    public static IHost Build(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.ConfigureOpenTelemetry();
        builder.AddParentLifeline();
        builder.AddAgentOptions();
        builder.AddSdkClient();
        builder.AddWebUIClient();
        builder.AddHealthPinger();
        builder.AddReadinessGate();
        builder.AddUserFolders();
        builder.AddBusyReporter();
        return builder.Build();
    }
}
