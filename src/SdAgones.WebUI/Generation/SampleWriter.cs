using System.Globalization;
using SdAgones.WebUI.Settings;

namespace SdAgones.WebUI.Generation;

/// <summary>
/// Saves each image as A1111 does, <c>NNNNN-seed.png</c> in the txt2img output folder, numbering on from the
/// highest number already there so a restart does not overwrite earlier pictures.
/// </summary>
internal sealed class SampleWriter(WebUiSettings settings, DataFolders folders, Files.CreatedFiles created)
{
    public async Task<string> SaveAsync(long seed, byte[] png, CancellationToken cancellationToken)
    {
        var folder = settings.Txt2ImgSamplesFolder();
        if (!folders.IsWritable(folder))
        {
            // Settings never accept such a folder; this holds even if one slipped in some other way.
            throw new UnauthorizedAccessException($"The output folder {folder} is outside this runtime's data folder.");
        }

        Directory.CreateDirectory(folder);
        for (var number = NextNumber(folder); ; number++)
        {
            var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{number:D5}-{seed}.png"));
            try
            {
                await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true);
                await file.WriteAsync(png, cancellationToken);
                created.Add(path);
                return path;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Someone else took this number meanwhile; use the next one.
            }
        }
    }

    private static int NextNumber(string folder)
    {
        var highest = -1;
        foreach (var path in Directory.EnumerateFiles(folder))
        {
            var name = Path.GetFileName(path.AsSpan());
            var dash = name.IndexOf('-');
            if (dash > 0 && int.TryParse(name[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                highest = Math.Max(highest, number);
            }
        }

        return highest + 1;
    }
}
