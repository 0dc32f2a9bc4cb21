using System.Diagnostics.CodeAnalysis;

namespace SdAgones.WebUI.Files;

/// <summary>Accepts only a plain file name for uploads, so the body always lands directly in the upload folder.</summary>
internal static class UploadName
{
    private const int MaxLength = 255;

    public static bool TryValidate(string? name, [NotNullWhen(true)] out string? safeName, [NotNullWhen(false)] out string? problem)
    {
        safeName = null;
        var trimmed = name?.Trim() ?? "";
        problem = trimmed switch
        {
            "" => "Name the file with ?name=, for example ?name=photo.png.",
            _ when trimmed.IndexOfAny(['/', '\\']) >= 0 => $"The file name '{trimmed}' contains a path separator; give a plain name like photo.png.",
            _ when trimmed.Contains("..", StringComparison.Ordinal) || trimmed == "." => $"The file name '{trimmed}' contains '..' or is '.'; give a plain name like photo.png.",
            _ when trimmed.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || trimmed.Any(char.IsControl) => $"The file name '{trimmed}' contains characters a file name cannot hold.",
            _ when trimmed.Length > MaxLength => $"The file name is {trimmed.Length} characters long; at most {MaxLength} are allowed.",
            _ => null,
        };
        if (problem is not null)
        {
            return false;
        }

        safeName = trimmed;
        return true;
    }
}
