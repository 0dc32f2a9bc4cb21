using SdAgones.LocalAgones;

var app = LocalAgonesApp.Build(args).ExitOnBadSettings();
app.Run();
