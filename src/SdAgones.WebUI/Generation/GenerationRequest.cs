using System.Diagnostics.CodeAnalysis;

namespace SdAgones.WebUI.Generation;

/// <summary>
/// A txt2img job that passed A1111's limits, so REST, WebSocket and SSE callers are held to the same rules.
/// <see cref="Seed"/> is as asked: -1 means "pick one when the job runs".
/// </summary>
internal sealed record GenerationRequest(string Prompt, string NegativePrompt, long Seed, int Steps, int Width, int Height, int BatchSize)
{
    public const long RandomSeed = -1;
    public const int DefaultSteps = 20;
    public const int MaxSteps = 150;
    public const int DefaultSize = 256;
    public const int MinSize = 64;
    public const int MaxSize = 1024;
    public const int MaxBatchSize = 4;
    public const int MaxPromptLength = 10_000;

    public static bool TryCreate(
        string? prompt,
        string? negativePrompt,
        long? seed,
        int? steps,
        int? width,
        int? height,
        int? batchSize,
        [NotNullWhen(true)] out GenerationRequest? request,
        [NotNullWhen(false)] out string? problem)
    {
        request = null;
        problem = FindProblem(prompt ?? "", negativePrompt ?? "", seed ?? RandomSeed, steps ?? DefaultSteps, width ?? DefaultSize, height ?? DefaultSize, batchSize ?? 1);
        if (problem is not null)
        {
            return false;
        }

        request = new GenerationRequest(prompt ?? "", negativePrompt ?? "", seed ?? RandomSeed, steps ?? DefaultSteps, width ?? DefaultSize, height ?? DefaultSize, batchSize ?? 1);
        return true;
    }

    private static string? FindProblem(string prompt, string negativePrompt, long seed, int steps, int width, int height, int batchSize)
    {
        if (prompt.Length > MaxPromptLength)
        {
            return $"prompt is too long: at most {MaxPromptLength} characters, got {prompt.Length}.";
        }

        if (negativePrompt.Length > MaxPromptLength)
        {
            return $"negative_prompt is too long: at most {MaxPromptLength} characters, got {negativePrompt.Length}.";
        }

        if (seed < RandomSeed || seed > uint.MaxValue)
        {
            return $"seed must be -1 (random) or a number from 0 to {uint.MaxValue}; got {seed}.";
        }

        if (steps is < 1 or > MaxSteps)
        {
            return $"steps must be from 1 to {MaxSteps}; got {steps}.";
        }

        return SizeProblem("width", width) ?? SizeProblem("height", height) ?? (batchSize is < 1 or > MaxBatchSize
            ? $"batch_size must be from 1 to {MaxBatchSize}; got {batchSize}."
            : null);
    }

    private static string? SizeProblem(string name, int value) =>
        value is < MinSize or > MaxSize || value % 8 != 0
            ? $"{name} must be a multiple of 8 from {MinSize} to {MaxSize}; got {value}."
            : null;
}
