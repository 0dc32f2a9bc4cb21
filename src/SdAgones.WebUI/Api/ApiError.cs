namespace SdAgones.WebUI.Api;

/// <summary>The error body every endpoint answers with: a short kind plus one line a person understands.</summary>
internal sealed record ApiError(string Error, string Detail)
{
    public static IResult BadRequest(string error, string detail) =>
        Results.Json(new ApiError(error, detail), WebUiJson.Options, statusCode: StatusCodes.Status400BadRequest);
}
