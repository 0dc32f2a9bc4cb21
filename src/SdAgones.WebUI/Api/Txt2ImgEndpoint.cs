using System.Text.Json;
using SdAgones.WebUI.Generation;
using SdAgones.WebUI.Settings;

namespace SdAgones.WebUI.Api;

/// <summary><c>POST /sdapi/v1/txt2img</c>: validates, waits its turn, and answers with base64 PNGs, the echoed parameters and an <c>info</c> JSON string.</summary>
internal static class Txt2ImgEndpoint
{
    private const string Example = """{"prompt":"a lighthouse at dusk","seed":-1,"steps":20}""";

    public static async Task<IResult> HandleAsync(HttpRequest request, GenerationQueue queue, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(request.Body, Example, cancellationToken);
        if (body is null)
        {
            return ApiError.BadRequest("JSONDecodeError", problem!);
        }

        if (!JsonBody.TryConvert<Txt2ImgBody>(body, out var asked, out problem))
        {
            return ApiError.BadRequest("ValidationError", problem);
        }

        if (!GenerationRequest.TryCreate(asked.Prompt, asked.NegativePrompt, asked.Seed, asked.Steps, asked.Width, asked.Height, asked.BatchSize, out var job, out problem))
        {
            return ApiError.BadRequest("ValidationError", problem);
        }

        var result = await queue.RunAsync(job, onStep: null, cancellationToken);
        return Results.Json(
            new Txt2ImgResponse(
                [.. result.Images.Select(image => Convert.ToBase64String(image.Png))],
                Txt2ImgParameters.Echo(job),
                JsonSerializer.Serialize(Txt2ImgInfo.Of(result), WebUiJson.Options)),
            WebUiJson.Options);
    }
}

/// <summary>The txt2img body; fields A1111 accepts but the stand-in ignores (sampler_name, cfg_scale, …) are allowed.</summary>
internal sealed record Txt2ImgBody(string? Prompt, string? NegativePrompt, long? Seed, int? Steps, int? Width, int? Height, int? BatchSize);

internal sealed record Txt2ImgResponse(IReadOnlyList<string> Images, Txt2ImgParameters Parameters, string Info);

internal sealed record Txt2ImgParameters(
    string Prompt, string NegativePrompt, long Seed, int Steps, int Width, int Height, int BatchSize, int NIter, string SamplerName, double CfgScale)
{
    public static Txt2ImgParameters Echo(GenerationRequest job) =>
        new(job.Prompt, job.NegativePrompt, job.Seed, job.Steps, job.Width, job.Height, job.BatchSize, 1, Infotext.Sampler, Infotext.CfgScale);
}

/// <summary>A1111's <c>info</c> document, plus <c>saved_paths</c>: where each image was written.</summary>
internal sealed record Txt2ImgInfo(
    string Prompt,
    IReadOnlyList<string> AllPrompts,
    string NegativePrompt,
    IReadOnlyList<string> AllNegativePrompts,
    long Seed,
    IReadOnlyList<long> AllSeeds,
    int Width,
    int Height,
    string SamplerName,
    double CfgScale,
    int Steps,
    int BatchSize,
    string SdModelName,
    string SdModelCheckpoint,
    string JobTimestamp,
    int ClipSkip,
    IReadOnlyList<string> Infotexts,
    IReadOnlyList<string> SavedPaths)
{
    public static Txt2ImgInfo Of(GenerationResult result)
    {
        var job = result.Request;
        return new Txt2ImgInfo(
            job.Prompt,
            [.. result.Images.Select(_ => job.Prompt)],
            job.NegativePrompt,
            [.. result.Images.Select(_ => job.NegativePrompt)],
            result.Seed,
            [.. result.Images.Select(image => image.Seed)],
            job.Width,
            job.Height,
            Infotext.Sampler,
            Infotext.CfgScale,
            job.Steps,
            job.BatchSize,
            Infotext.ModelName,
            SettingDefaults.StandInCheckpoint,
            result.JobTimestamp,
            1,
            [.. result.Images.Select(image => image.Infotext)],
            [.. result.Images.Select(image => image.SavedPath)]);
    }
}
