namespace SdAgones.WebUI.Generation;

/// <summary>What the one running job is doing, as <c>/sdapi/v1/progress</c> reports it; immutable, so a reader never sees half an update.</summary>
internal sealed record JobProgress(string Job, string JobTimestamp, int Step, int Steps, TimeSpan StepDelay)
{
    public const string Txt2Img = "txt2img";

    public bool IsRunning => Job.Length > 0;

    public double Fraction => Steps == 0 ? 0 : (double)Step / Steps;

    public TimeSpan Remaining => StepDelay * (Steps - Step);

    public static JobProgress Idle(string lastJobTimestamp) => new("", lastJobTimestamp, 0, 0, TimeSpan.Zero);
}
