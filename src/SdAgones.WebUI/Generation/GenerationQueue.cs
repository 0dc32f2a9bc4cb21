using System.Globalization;
using Microsoft.Extensions.Options;

namespace SdAgones.WebUI.Generation;

/// <summary>
/// Runs generations one at a time, as A1111 does on its single GPU: later callers wait their turn. Each job
/// takes steps × <c>WebUI:StepDelay</c>, reports its step as it goes, then paints and saves its images.
/// </summary>
internal sealed class GenerationQueue(
    PngPainter painter,
    SampleWriter samples,
    IOptions<StandInOptions> options,
    TimeProvider time,
    ILogger<GenerationQueue> logger) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private volatile JobProgress _progress = JobProgress.Idle(Timestamp(time));

    public JobProgress Progress => _progress;

    public async Task<GenerationResult> RunAsync(GenerationRequest request, StepObserver? onStep, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        var jobTimestamp = Timestamp(time);
        try
        {
            var seed = request.Seed == GenerationRequest.RandomSeed ? Random.Shared.NextInt64(0, uint.MaxValue + 1L) : request.Seed;
            var stepDelay = options.Value.StepDelay;
            var started = time.GetTimestamp();
            logger.JobStarted(seed, request.Steps, request.Width, request.Height, request.BatchSize);

            _progress = new JobProgress(JobProgress.Txt2Img, jobTimestamp, 0, request.Steps, stepDelay);
            for (var step = 1; step <= request.Steps; step++)
            {
                await Task.Delay(stepDelay, time, cancellationToken);
                _progress = _progress with { Step = step };
                if (onStep is not null)
                {
                    await onStep(step, request.Steps, cancellationToken);
                }
            }

            var images = new List<GeneratedImage>(request.BatchSize);
            for (var i = 0; i < request.BatchSize; i++)
            {
                var imageSeed = seed + i;
                var infotext = Infotext.For(request, imageSeed);
                var png = painter.Paint(request.Prompt, imageSeed, request.Width, request.Height, infotext);
                var path = await samples.SaveAsync(imageSeed, png, cancellationToken);
                images.Add(new GeneratedImage(imageSeed, png, infotext, path));
            }

            logger.JobFinished(seed, time.GetElapsedTime(started).TotalMilliseconds, images.Count);
            return new GenerationResult(request, seed, jobTimestamp, images);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.JobCancelled(_progress.Step, request.Steps);
            throw;
        }
        finally
        {
            _progress = JobProgress.Idle(jobTimestamp);
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();

    private static string Timestamp(TimeProvider time) =>
        time.GetLocalNow().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
}

internal static partial class GenerationLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "txt2img started: seed {Seed}, {Steps} steps, {Width}x{Height}, batch of {BatchSize}")]
    public static partial void JobStarted(this ILogger logger, long seed, int steps, int width, int height, int batchSize);

    [LoggerMessage(Level = LogLevel.Information, Message = "txt2img finished: seed {Seed}, {ElapsedMs:F0} ms, {Images} image(s) saved")]
    public static partial void JobFinished(this ILogger logger, long seed, double elapsedMs, int images);

    [LoggerMessage(Level = LogLevel.Information, Message = "txt2img cancelled by its caller at step {Step} of {Steps}")]
    public static partial void JobCancelled(this ILogger logger, int step, int steps);
}

internal static class GenerationRegistration
{
    public static IServiceCollection AddGeneration(this IServiceCollection services) =>
        services.AddSingleton<PngPainter>().AddSingleton<SampleWriter>().AddSingleton<GenerationQueue>();
}
