using SdAgones.WebUI;

StandInWebUi.Build(args).Run();
