using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

/// <summary>
/// An independent reference for the bridge's pixel handling, written from drm_fourcc.h's layout
/// descriptions one byte at a time (the code under test works on whole words or vectors).
/// </summary>
internal static class ReferencePixels
{
    public static int BytesPerPixel(DrmFourcc format) => format == DrmFourcc.Rgb565 ? 2 : 4;

    /// <summary>The canonical XRGB8888 value (top byte zero) of the pixel whose bytes start <paramref name="pixel"/>.</summary>
    public static uint Canonical(ReadOnlySpan<byte> pixel, DrmFourcc format)
    {
        uint r, g, b;
        switch (format)
        {
            case DrmFourcc.Xrgb8888:
            case DrmFourcc.Argb8888:
                // Little-endian [31:0] x:R:G:B: memory holds B, G, R, x.
                b = pixel[0];
                g = pixel[1];
                r = pixel[2];
                break;
            case DrmFourcc.Xbgr8888:
            case DrmFourcc.Abgr8888:
                // Little-endian [31:0] x:B:G:R: memory holds R, G, B, x.
                r = pixel[0];
                g = pixel[1];
                b = pixel[2];
                break;
            case DrmFourcc.Rgb565:
                {
                    int word = pixel[0] | (pixel[1] << 8);
                    uint r5 = (uint)(word >> 11) & 31;
                    uint g6 = (uint)(word >> 5) & 63;
                    uint b5 = (uint)word & 31;
                    // Bit replication written as a multiply: v * 0b100001 >> 2 repeats the top bits of
                    // a 5-bit value below it, v * 0b1000001 >> 4 does the same for 6 bits.
                    r = (r5 * 33) >> 2;
                    g = (g6 * 65) >> 4;
                    b = (b5 * 33) >> 2;
                    break;
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }

        return (r << 16) | (g << 8) | b;
    }

    /// <summary>The canonical image of a whole surface held in <paramref name="memory"/>.</summary>
    public static uint[] Canonical(ReadOnlySpan<byte> memory, int width, int height, int stride, DrmFourcc format)
    {
        int bpp = BytesPerPixel(format);
        var image = new uint[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[y * width + x] = Canonical(memory.Slice(y * stride + x * bpp, bpp), format);
            }
        }

        return image;
    }

    /// <summary>
    /// Copies the pixels of one rectangle to another in an image of <paramref name="pixelSize"/>-byte
    /// pixels, as a blitter does: through a temporary copy, so overlap needs no care.
    /// </summary>
    public static void Blit(Span<byte> memory, int stride, int pixelSize, PixelRect source, int destinationX, int destinationY)
    {
        int rowBytes = source.Width * pixelSize;
        var temp = new byte[rowBytes * source.Height];
        for (int r = 0; r < source.Height; r++)
        {
            memory.Slice((source.Y + r) * stride + source.X * pixelSize, rowBytes).CopyTo(temp.AsSpan(r * rowBytes));
        }

        for (int r = 0; r < source.Height; r++)
        {
            temp.AsSpan(r * rowBytes, rowBytes).CopyTo(memory.Slice((destinationY + r) * stride + destinationX * pixelSize));
        }
    }

    /// <summary>Copies the console's shadow out under its read lock.</summary>
    public static uint[] Shadow(DisplayConsole console)
    {
        using ShadowReadScope scope = console.ReadShadow();
        return scope.Pixels.ToArray();
    }

    /// <summary>Every tile's generation, under the read lock.</summary>
    public static long[] TileGenerations(DisplayConsole console)
    {
        using ShadowReadScope scope = console.ReadShadow();
        var generations = new long[scope.Tiles.TileCount];
        for (int i = 0; i < generations.Length; i++)
        {
            generations[i] = scope.Tiles.TileGeneration(i);
        }

        return generations;
    }

    /// <summary>The grid's newest generation, under the read lock.</summary>
    public static long Generation(DisplayConsole console)
    {
        using ShadowReadScope scope = console.ReadShadow();
        return scope.Tiles.Generation;
    }
}
