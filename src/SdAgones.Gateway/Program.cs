using SdAgones.Gateway;
using SdAgones.Gateway.Api;
using SdAgones.Gateway.Edge;
using SdAgones.Gateway.Files;
using SdAgones.Gateway.Identity;
using SdAgones.Gateway.Pages;
using SdAgones.Gateway.Profiles;
using SdAgones.Gateway.Usage;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEdge();
builder.AddIdentity();
builder.AddSessions();
builder.AddAllocation();
builder.AddForwarding();
builder.AddMyFiles();
builder.AddUsageGate();

var app = builder.Build().ExitOnBadSettings();
app.UseEdge();
app.MapDefaultEndpoints();
app.MapGet("/healthz", () => Results.Text("ok")); // the load balancer's check: no identity, no dependencies
app.MapDevSignIn();
app.MapSessionApi();
app.MapProfileChoice();
app.MapPages();
app.MapUsage();
app.MapMyFiles();
app.MapRuntimeForwarding();
app.Run();

/// <summary>Visible to the tests' in-process hosts.</summary>
public partial class Program;
