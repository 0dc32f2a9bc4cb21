using System.Text.Json;

namespace SdAgones.WebUI;

/// <summary>One JSON shape for every answer: A1111's snake_case names (<c>negative_prompt</c>, <c>eta_relative</c>).</summary>
internal static class WebUiJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };
}
