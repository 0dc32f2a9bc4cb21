using SdAgones.Cruiser;
using SdAgones.Cruiser.Autoscaling;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCruiser();

var app = builder.Build().ExitOnBadSettings();
app.MapDefaultEndpoints();
app.MapFleetAutoscale();
app.Run();
