using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using SdAgones.WebUI.Settings;

namespace SdAgones.WebUI.Files;

/// <summary>What an upload became on disk.</summary>
internal sealed record StoredUpload(string Path, long Bytes, [property: JsonPropertyName("sha256")] string Sha256);

/// <summary>
/// Streams an upload to <c>&lt;DataRoot&gt;/uploads</c> chunk by chunk, hashing as it goes, so a file of any size
/// costs a fixed amount of memory. A half-received file is never left under the final name.
/// </summary>
internal sealed class UploadStore(DataFolders folders, ILogger<UploadStore> logger)
{
    private const int ChunkSize = 128 * 1024;

    public async Task<StoredUpload> SaveAsync(string safeName, Stream body, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folders.Uploads);
        var finalPath = Path.Combine(folders.Uploads, safeName);
        var partialPath = Path.Combine(folders.Uploads, $".{safeName}.{Guid.NewGuid():N}.partial");
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            await using (var file = new FileStream(partialPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, useAsync: true))
            {
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken)) > 0)
                {
                    sha256.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    total += read;
                }
            }

            File.Move(partialPath, finalPath, overwrite: true);
            var stored = new StoredUpload(finalPath, total, Convert.ToHexStringLower(sha256.GetHashAndReset()));
            logger.UploadStored(finalPath, total);
            return stored;
        }
        catch
        {
            File.Delete(partialPath);
            logger.UploadAbandoned(safeName);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
