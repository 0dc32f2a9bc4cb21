using SdAgones.LocalIap;

// Plays Google IAP in front of the gateway for local runs and tests: a sign-in page of its own, a fresh ES256 key,
// and every other request forwarded with IAP's signed header, so the gateway's production identity path runs locally.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddLocalIap();

var app = builder.Build().ExitOnBadSettings();
app.MapDefaultEndpoints();
app.MapLocalIap();
app.Run();
