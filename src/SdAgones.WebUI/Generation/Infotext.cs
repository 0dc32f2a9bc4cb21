using System.Globalization;
using System.Text;

namespace SdAgones.WebUI.Generation;

/// <summary>The one-paragraph summary A1111 writes into each PNG and its <c>infotexts</c>, so "PNG Info"-style tools can read ours.</summary>
internal static class Infotext
{
    public const string Sampler = "Euler a";
    public const double CfgScale = 7;
    public const string ModelName = "sd-stand-in";

    public static string For(GenerationRequest request, long seed)
    {
        var text = new StringBuilder(request.Prompt);
        if (request.NegativePrompt.Length > 0)
        {
            text.Append("\nNegative prompt: ").Append(request.NegativePrompt);
        }

        return text.Append(CultureInfo.InvariantCulture,
                $"\nSteps: {request.Steps}, Sampler: {Sampler}, CFG scale: {CfgScale}, Seed: {seed}, Size: {request.Width}x{request.Height}, Model: {ModelName}, Version: stand-in")
            .ToString();
    }
}
