using SdAgones.LocalAgones;

var app = LocalAgonesApp.Build(args);
app.Run();
