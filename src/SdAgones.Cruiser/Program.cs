using SdAgones.Cruiser;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCruiser();

var app = builder.Build().ExitOnBadSettings();
app.MapDefaultEndpoints();
app.Run();
