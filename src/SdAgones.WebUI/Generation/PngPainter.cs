using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SdAgones.WebUI.Generation;

/// <summary>
/// Draws the picture a GPU would have made, without one: a gradient and a few translucent circles whose
/// colours and places come from a hash of (seed, prompt). Same inputs give the same bytes; any change gives
/// another picture. Integer maths only, so the result does not depend on the CPU.
/// </summary>
internal sealed class PngPainter
{
    public byte[] Paint(string prompt, long seed, int width, int height, string parameters)
    {
        var key = KeyOf(prompt, seed);
        var pixels = new byte[width * height * PngEncoder.BytesPerPixel];
        PaintGradient(pixels, width, height, key);

        var circles = 3 + (key[9] % 4);
        Span<byte> shapeInput = stackalloc byte[key.Length + 1];
        key.CopyTo(shapeInput);
        for (var i = 0; i < circles; i++)
        {
            shapeInput[^1] = (byte)i;
            PaintCircle(pixels, width, height, SHA256.HashData(shapeInput));
        }

        return PngEncoder.EncodeRgb(pixels, width, height, parameters);
    }

    private static byte[] KeyOf(string prompt, long seed)
    {
        var input = new byte[sizeof(long) + Encoding.UTF8.GetByteCount(prompt)];
        BinaryPrimitives.WriteInt64LittleEndian(input, seed);
        Encoding.UTF8.GetBytes(prompt, input.AsSpan(sizeof(long)));
        return SHA256.HashData(input);
    }

    private static void PaintGradient(byte[] pixels, int width, int height, byte[] key)
    {
        // Colour runs from key[0..3] to key[3..6] along the direction (a, b); key[8] mirrors it.
        int a = 1 + (key[6] % 4), b = key[7] % 4;
        var mirrored = (key[8] & 1) == 1;
        var span = ((width - 1) * a) + ((height - 1) * b);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var t = ((mirrored ? width - 1 - x : x) * a) + (y * b);
                var at = ((y * width) + x) * PngEncoder.BytesPerPixel;
                for (var c = 0; c < PngEncoder.BytesPerPixel; c++)
                {
                    pixels[at + c] = (byte)(key[c] + ((key[3 + c] - key[c]) * t / span));
                }
            }
        }
    }

    private static void PaintCircle(byte[] pixels, int width, int height, byte[] shape)
    {
        var smaller = Math.Min(width, height);
        var cx = BinaryPrimitives.ReadUInt16BigEndian(shape) % width;
        var cy = BinaryPrimitives.ReadUInt16BigEndian(shape.AsSpan(2)) % height;
        var radius = (smaller / 12) + (BinaryPrimitives.ReadUInt16BigEndian(shape.AsSpan(4)) % (smaller / 3));
        var alpha = 80 + (shape[9] % 150);
        var radiusSquared = radius * radius;

        for (int y = Math.Max(0, cy - radius), yEnd = Math.Min(height - 1, cy + radius); y <= yEnd; y++)
        {
            for (int x = Math.Max(0, cx - radius), xEnd = Math.Min(width - 1, cx + radius); x <= xEnd; x++)
            {
                int dx = x - cx, dy = y - cy;
                if ((dx * dx) + (dy * dy) > radiusSquared)
                {
                    continue;
                }

                var at = ((y * width) + x) * PngEncoder.BytesPerPixel;
                for (var c = 0; c < PngEncoder.BytesPerPixel; c++)
                {
                    pixels[at + c] = (byte)(((pixels[at + c] * (255 - alpha)) + (shape[6 + c] * alpha) + 127) / 255);
                }
            }
        }
    }
}
