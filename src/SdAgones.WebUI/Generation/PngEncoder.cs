using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SdAgones.WebUI.Generation;

/// <summary>
/// Writes 8-bit RGB pixels as a PNG any viewer opens: signature, IHDR, an iTXt "parameters" chunk
/// (where A1111 keeps the generation settings), zlib-compressed IDAT, IEND.
/// </summary>
internal static class PngEncoder
{
    public const int BytesPerPixel = 3;
    private const byte FilterSub = 1;

    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    public static byte[] EncodeRgb(ReadOnlySpan<byte> rgb, int width, int height, string parameters)
    {
        using var png = new MemoryStream();
        png.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: truecolour (RGB)
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering
        header[12] = 0; // no interlace
        WriteChunk(png, "IHDR"u8, header);
        WriteChunk(png, "iTXt"u8, TextChunk("parameters", parameters));
        WriteChunk(png, "IDAT"u8, Compress(rgb, width, height));
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    // Keyword, then: NUL, compression flag 0, method 0, empty language tag + NUL, empty translated keyword + NUL, UTF-8 text.
    private static byte[] TextChunk(string keyword, string text) =>
        [.. Encoding.Latin1.GetBytes(keyword), 0, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(text)];

    private static byte[] Compress(ReadOnlySpan<byte> rgb, int width, int height)
    {
        var stride = width * BytesPerPixel;
        var row = ArrayPool<byte>.Shared.Rent(stride + 1);
        try
        {
            using var compressed = new MemoryStream();
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                for (var y = 0; y < height; y++)
                {
                    // "Sub" filter: each byte minus the same channel of the pixel to its left; gradients shrink well.
                    var source = rgb.Slice(y * stride, stride);
                    row[0] = FilterSub;
                    for (var i = 0; i < stride; i++)
                    {
                        var left = i >= BytesPerPixel ? source[i - BytesPerPixel] : (byte)0;
                        row[i + 1] = unchecked((byte)(source[i] - left));
                    }

                    zlib.Write(row, 0, stride + 1);
                }
            }

            return compressed.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(row);
        }
    }

    private static void WriteChunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        png.Write(type);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32.Compute(type, data));
        png.Write(number);
    }
}
