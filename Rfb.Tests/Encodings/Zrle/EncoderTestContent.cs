using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Zrle;

/// <summary>Pictures and rectangle layouts that exercise every ZRLE subencoding and Hextile tile type.</summary>
internal static class EncoderTestContent
{
    /// <summary>The framebuffer the layouts below cover.</summary>
    public const int Width = 1000;
    public const int Height = 140;

    /// <summary>
    /// Bands of 200 columns: solid blocks; two-colour text-like glyphs; a gradient; photographic
    /// noise; blocks of 5, 12 and 60 colours (packed palette and palette RLE). <paramref name="seed"/>
    /// changes every band.
    /// </summary>
    public static ImageRgb Mixed(int width, int height, int seed)
        => ImageRgb.Create(width, height, (x, y) => MixedPixel(x, y, seed));

    /// <summary>
    /// Rectangles covering a <see cref="Width"/> × <see cref="Height"/> framebuffer in raster order,
    /// of odd sizes (1000×3, 65×65, 1×1, 1×64, 300×65 whose last tiles are 44 pixels of
    /// two-colour text, so packed rows end in part of a byte) and ending with the 1×1 bottom-right pixel
    /// (gvnccapture saves on the rectangle that reaches that corner).
    /// </summary>
    public static IReadOnlyList<(int X, int Y, int Width, int Height)> OddLayout { get; } =
    [
        (0, 0, 1000, 3),
        (0, 3, 65, 65),
        (65, 3, 1, 1),
        (65, 4, 1, 64),
        (66, 3, 300, 65),
        (366, 3, 634, 65),
        (0, 68, 999, 72),
        (999, 68, 1, 71),
        (999, 139, 1, 1),
    ];

    /// <summary>Rectangles changed by the second frame: a block, the right edge column and the bottom row.</summary>
    public static IReadOnlyList<(int X, int Y, int Width, int Height)> SecondFrameChanges { get; } =
    [
        (10, 5, 700, 100),
        (999, 0, 1, 139),
        (0, 139, 1000, 1),
    ];

    /// <summary>A copy of <paramref name="image"/> with <paramref name="rectangles"/> taken from <paramref name="source"/>.</summary>
    public static ImageRgb With(ImageRgb image, ImageRgb source, IReadOnlyList<(int X, int Y, int Width, int Height)> rectangles)
    {
        var result = new ImageRgb(image.Width, image.Height, (uint[])image.Pixels.Clone());
        foreach ((int x, int y, int w, int h) in rectangles)
        {
            for (int row = y; row < y + h; row++)
            {
                source.Pixels.AsSpan(row * source.Width + x, w).CopyTo(result.Pixels.AsSpan(row * result.Width + x, w));
            }
        }

        return result;
    }

    private static uint MixedPixel(int x, int y, int seed)
    {
        uint h = Hash((uint)x, (uint)y, (uint)seed);
        switch (x / 200 % 5)
        {
            case 0:
                // Solid blocks of 50x35.
                return Hash((uint)(x / 50), (uint)(y / 35), (uint)seed) & 0xFFFFFF;
            case 1:
            {
                // 6x10 glyph cells, each with a random 3x5 bitmap scaled by 2.
                uint glyph = Hash((uint)(x / 6), (uint)(y / 10), (uint)seed + 7);
                int bit = (y % 10 / 2) * 3 + (x % 6 / 2);
                return ((glyph >> bit) & 1) != 0 ? 0x00202020u : 0x00F0F0E0u;
            }

            case 2:
                return (uint)(((x * 255 / 999) << 16) | ((y * 255 / 139) << 8) | ((x + y + seed * 40) & 0xFF));
            case 3:
                return h & 0xFFFFFF;
            default:
            {
                int colours = y < 47 ? 5 : y < 94 ? 12 : 60;
                uint index = Hash((uint)(x / 3), (uint)(y / 2), (uint)seed + 3) % (uint)colours;
                return Hash(index, 77, (uint)seed) & 0xFFFFFF;
            }
        }
    }

    private static uint Hash(uint a, uint b, uint c)
    {
        uint h = a * 0x9E3779B1u ^ b * 0x85EBCA77u ^ c * 0xC2B2AE3Du;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        h ^= h >> 12;
        return h;
    }
}
