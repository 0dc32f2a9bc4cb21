using SdAgones.Agent;
using SdAgones.Agent.Busy;
using SdAgones.Agent.Health;
using SdAgones.Agent.Readiness;
using SdAgones.Agent.Sdk;
using SdAgones.Agent.Users;
using SdAgones.Agent.WebUI;

var builder = Host.CreateApplicationBuilder(args);
builder.ConfigureOpenTelemetry();
builder.AddAgentOptions();
builder.AddSdkClient();
builder.AddWebUIClient();
builder.AddHealthPinger();
builder.AddReadinessGate();
builder.AddUserFolders();
builder.AddBusyReporter();
builder.Build().ExitOnBadSettings().Run();
