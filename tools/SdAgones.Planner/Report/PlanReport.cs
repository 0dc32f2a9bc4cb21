using SdAgones.Planner.Input;
using SdAgones.Planner.Simulation;

namespace SdAgones.Planner.Report;

/// <summary>Everything one planner run found: what was replayed, the grid's outcomes, the answer, and the day of the recommended setting.</summary>
public sealed record PlanReport(
    string Source,
    Trace Trace,
    SimulationParameters Parameters,
    IReadOnlyList<SettingOutcome> Outcomes,
    Recommendation Recommendation,
    DayTimeline Day,
    PlanSetting DaySetting);
