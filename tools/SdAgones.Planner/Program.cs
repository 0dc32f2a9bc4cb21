return SdAgones.Planner.Cli.PlannerCommand.Run(args);
