using SdAgones.WebUI;

StandInWebUi.Build(args).ExitOnBadSettings().Run();
