using SdAgones.Planner.Cli;
using SdAgones.Planner.Input;
using SdAgones.Planner.Report;
using SdAgones.Planner.Simulation;

namespace SdAgones.Planner;

/// <summary>The planner without its command line: load the trace, run the grid, pick the answer, replay its day.</summary>
public static class Planner
{
    public static PlanReport Plan(PlanRequest request, Action? cellDone = null)
    {
        var (trace, source) = request.EventsPath is { } path
            ? (EventLogReader.Read(path, request.RecordedIdleTimeout), path)
            : (request.Profile!.Generate(request.Parameters.Seed), $"synthetic profile ({request.Profile!.People} people, {request.Profile.Days} days)");
        var outcomes = GridRunner.Run(trace, request.Grid, request.Parameters, cellDone);
        var recommendation = Recommendation.For(request.Target, outcomes);
        var daySetting = (recommendation.Best ?? recommendation.Closest).Setting;
        var day = new DayTimeline(trace.Origin, trace.HorizonMs);
        GridRunner.RunOne(trace, daySetting, request.Parameters, day);
        return new PlanReport(source, trace, request.Parameters, outcomes, recommendation, day, daySetting);
    }
}
