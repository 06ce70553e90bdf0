using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.NoVnc;

/// <summary>
/// noVNC's framebuffer after decoding, as its <c>Display.getImageData()</c> gives it: <see cref="Width"/> ×
/// <see cref="Height"/> pixels of 4 bytes R, G, B, A, row-major. Pixels that nothing painted are transparent
/// black (alpha 0), as a fresh canvas is; everything noVNC paints should be opaque (alpha 255).
/// </summary>
internal sealed class NoVncFramebuffer
{
    public NoVncFramebuffer(int width, int height, byte[] rgba)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (rgba.Length != (long)width * height * 4)
        {
            throw new ArgumentException($"{rgba.Length} bytes given for a {width}x{height} RGBA image.", nameof(rgba));
        }

        Width = width;
        Height = height;
        Rgba = rgba;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>R, G, B, A per pixel, row-major.</summary>
    public byte[] Rgba { get; }

    /// <summary>The alpha of pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public byte AlphaAt(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) lies outside a {Width}x{Height} framebuffer.");
        }

        return Rgba[(((y * Width) + x) * 4) + 3];
    }

    /// <summary>How many pixels of the given rectangle are not fully opaque (nothing painted them, or a translucent picture did).</summary>
    public int CountNotOpaque(int x, int y, int width, int height)
    {
        var count = 0;
        for (var row = y; row < y + height; row++)
        {
            for (var column = x; column < x + width; column++)
            {
                if (AlphaAt(column, row) != 255)
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>The colours as <c>0x00RRGGBB</c> pixels; alpha is dropped.</summary>
    public ImageRgb ToImage()
    {
        var pixels = new uint[Width * Height];
        for (var i = 0; i < pixels.Length; i++)
        {
            var o = i * 4;
            pixels[i] = ((uint)Rgba[o] << 16) | ((uint)Rgba[o + 1] << 8) | Rgba[o + 2];
        }

        return new ImageRgb(Width, Height, pixels);
    }
}
