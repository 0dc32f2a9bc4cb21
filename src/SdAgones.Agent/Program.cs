using SdAgones.Agent;

AgentHost.Build(args).ExitOnBadSettings().Run();
