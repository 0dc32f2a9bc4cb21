using SdAgones.WebUI.Settings;

namespace SdAgones.WebUI.Api;

/// <summary><c>/sdapi/v1/options</c>: read all settings, or merge some (unknown keys welcome, as in A1111).</summary>
internal static class OptionsEndpoints
{
    private const string Example = """{"outdir_txt2img_samples":"outputs/txt2img-images"}""";

    public static IResult Get(WebUiSettings settings) => Results.Json(settings.Snapshot(), WebUiJson.Options);

    public static async Task<IResult> SetAsync(HttpRequest request, WebUiSettings settings, LaunchFlags flags, CancellationToken cancellationToken)
    {
        if (flags.FreezeSettings)
        {
            // A1111's Options.set asserts "changing settings is disabled"; the API turns the assertion into a 500.
            return Results.Json(new ApiError("AssertionError", "changing settings is disabled"), WebUiJson.Options, statusCode: StatusCodes.Status500InternalServerError);
        }

        var (changes, problem) = await JsonBody.ReadObjectAsync(request.Body, Example, cancellationToken);
        if (changes is null)
        {
            return ApiError.BadRequest("JSONDecodeError", problem!);
        }

        problem = settings.FindProblem(changes);
        if (problem is not null)
        {
            return ApiError.BadRequest("ValidationError", problem);
        }

        settings.Merge(changes);
        return Results.Content("null", "application/json");
    }
}
