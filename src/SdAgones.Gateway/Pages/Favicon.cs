namespace SdAgones.Gateway.Pages;

/// <summary>
/// <c>/favicon.ico</c> for everyone, signed in or not: browsers ask for it on every site, and without the gateway's
/// own answer the request would need a sign-in or would be forwarded to (and allocate) a runtime. The icon is drawn
/// here: a 16×16 tile in the pages' accent colour with a white "S".
/// </summary>
internal static class Favicon
{
    public const string Path = "/favicon.ico";
    private const int Size = 16;

    // One row per pixel row, top to bottom: '#' white, '.' accent, ' ' transparent (the rounded corners).
    private static readonly string[] Pixels =
    [
        "  ............  ",
        " .............. ",
        "................",
        "......#####.....",
        ".....#######....",
        ".....##.........",
        ".....##.........",
        ".....######.....",
        "......######....",
        "..........##....",
        "..........##....",
        ".....#######....",
        "......#####.....",
        "................",
        " .............. ",
        "  ............  ",
    ];

    /// <summary>The icon file: one 32-bit image in the ICO container (header, directory entry, bitmap, mask).</summary>
    public static byte[] Bytes { get; } = Draw();

    public static WebApplication MapFavicon(this WebApplication app)
    {
        app.MapMethods(Path, [HttpMethods.Get, HttpMethods.Head], (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Bytes(Bytes, "image/x-icon");
        }).AllowAnonymous();
        return app;
    }

    private static byte[] Draw()
    {
        const int header = 6, entry = 16, bitmapHeader = 40;
        const int pixelBytes = Size * Size * 4, maskBytes = Size * 4; // mask rows are padded to 32 bits
        var image = bitmapHeader + pixelBytes + maskBytes;
        var ico = new byte[header + entry + image];
        var w = new BinaryWriter(new MemoryStream(ico));
        w.Write((short)0); w.Write((short)1); w.Write((short)1);                           // ICONDIR: reserved, type icon, one image
        w.Write((byte)Size); w.Write((byte)Size); w.Write((byte)0); w.Write((byte)0);      // ICONDIRENTRY: 16×16, no palette
        w.Write((short)1); w.Write((short)32); w.Write(image); w.Write(header + entry);     // planes, bits, size, offset
        w.Write(bitmapHeader); w.Write(Size); w.Write(Size * 2);                          // BITMAPINFOHEADER: height counts the mask too
        w.Write((short)1); w.Write((short)32); w.Write(0); w.Write(pixelBytes + maskBytes);
        w.Write(0); w.Write(0); w.Write(0); w.Write(0);
        for (var row = Size - 1; row >= 0; row--)                                          // bottom-up rows of BGRA
        {
            foreach (var pixel in Pixels[row])
            {
                var (b, g, r, a) = pixel switch { '#' => (255, 255, 255, 255), '.' => (0xfc, 0x5d, 0x6d, 255), _ => (0, 0, 0, 0) };
                w.Write((byte)b); w.Write((byte)g); w.Write((byte)r); w.Write((byte)a);
            }
        }

        // The AND mask stays all zero: the alpha channel already says what is transparent.
        return ico;
    }
}
