using SdAgones.WebUI.Generation;

namespace SdAgones.WebUI.Api;

/// <summary><c>GET /sdapi/v1/progress</c>: how far the running job is, in A1111's shape; zeros and an empty job name when idle.</summary>
internal static class ProgressEndpoint
{
    public static IResult Handle(GenerationQueue queue)
    {
        var now = queue.Progress;
        return Results.Json(
            new ProgressReport(
                now.Fraction,
                now.Remaining.TotalSeconds,
                new ProgressState(
                    Skipped: false,
                    Interrupted: false,
                    now.Job,
                    JobCount: now.IsRunning ? 1 : 0,
                    now.JobTimestamp,
                    JobNo: 0,
                    SamplingStep: now.Step,
                    SamplingSteps: now.Steps),
                CurrentImage: null,
                Textinfo: null),
            WebUiJson.Options);
    }
}

internal sealed record ProgressReport(double Progress, double EtaRelative, ProgressState State, string? CurrentImage, string? Textinfo);

internal sealed record ProgressState(
    bool Skipped, bool Interrupted, string Job, int JobCount, string JobTimestamp, int JobNo, int SamplingStep, int SamplingSteps);
