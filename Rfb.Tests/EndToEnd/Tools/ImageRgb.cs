using System.Text;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// A decoded image: <see cref="Width"/> × <see cref="Height"/> pixels in row-major order, each in the canonical
/// XRGB8888 form <c>0x00RRGGBB</c> (the same form as the server's shadow framebuffer).
/// </summary>
internal sealed class ImageRgb
{
    public ImageRgb(int width, int height, uint[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (pixels.Length != (long)width * height)
        {
            throw new ArgumentException($"{pixels.Length} pixels given for a {width}x{height} image.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public ImageRgb(int width, int height)
        : this(width, height, new uint[checked(width * height)])
    {
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Row-major pixels, <c>0x00RRGGBB</c>.</summary>
    public uint[] Pixels { get; }

    public uint this[int x, int y]
    {
        get => Pixels[Index(x, y)];
        set => Pixels[Index(x, y)] = value & 0xFFFFFF;
    }

    /// <summary>An image of one colour.</summary>
    public static ImageRgb Solid(int width, int height, uint rgb)
    {
        var image = new ImageRgb(width, height);
        Array.Fill(image.Pixels, rgb & 0xFFFFFF);
        return image;
    }

    /// <summary>An image whose pixel (x, y) is <paramref name="pixel"/>(x, y).</summary>
    public static ImageRgb Create(int width, int height, Func<int, int, uint> pixel)
    {
        var image = new ImageRgb(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image.Pixels[(y * width) + x] = pixel(x, y) & 0xFFFFFF;
            }
        }

        return image;
    }

    /// <summary>A copy of the rectangle at (<paramref name="x"/>, <paramref name="y"/>); it must lie inside the image.</summary>
    public ImageRgb Crop(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width < 0 || height < 0 || x + width > Width || y + height > Height)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height}+{x}+{y} does not lie inside a {Width}x{Height} image.");
        }

        var result = new ImageRgb(width, height);
        for (var row = 0; row < height; row++)
        {
            Pixels.AsSpan(((y + row) * Width) + x, width).CopyTo(result.Pixels.AsSpan(row * width, width));
        }

        return result;
    }

    /// <summary>True when <paramref name="other"/> has the same size and pixels.</summary>
    public bool SameAs(ImageRgb other)
        => Width == other.Width && Height == other.Height && Pixels.AsSpan().SequenceEqual(other.Pixels);

    /// <summary>True when every pixel is <paramref name="rgb"/>.</summary>
    public bool IsSolid(uint rgb) => !Pixels.AsSpan().ContainsAnyExcept(rgb & 0xFFFFFF);

    /// <summary>
    /// Null when this image equals <paramref name="expected"/>; otherwise a description for an assertion message:
    /// the sizes when they differ, else how many pixels differ, their bounding box, and the first
    /// <paramref name="maxListed"/> of them with both values.
    /// </summary>
    public string? DescribeDifferences(ImageRgb expected, int maxListed = 10)
    {
        if (Width != expected.Width || Height != expected.Height)
        {
            return $"size differs: expected {expected.Width}x{expected.Height}, actual {Width}x{Height}";
        }

        var count = 0;
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        var listed = new StringBuilder();
        for (var y = 0; y < Height; y++)
        {
            var row = y * Width;
            for (var x = 0; x < Width; x++)
            {
                var actualPixel = Pixels[row + x];
                var expectedPixel = expected.Pixels[row + x];
                if (actualPixel == expectedPixel)
                {
                    continue;
                }

                if (count < maxListed)
                {
                    listed.Append($"\n  ({x}, {y}): expected {expectedPixel:X6}, actual {actualPixel:X6}");
                }

                count++;
                minX = Math.Min(minX, x);
                minY = Math.Min(minY, y);
                maxX = Math.Max(maxX, x);
                maxY = Math.Max(maxY, y);
            }
        }

        if (count == 0)
        {
            return null;
        }

        return $"{count} of {Pixels.Length} pixels differ, within {maxX - minX + 1}x{maxY - minY + 1}+{minX}+{minY}; first ones:{listed}";
    }

    public override string ToString() => $"{Width}x{Height} image";

    private int Index(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) lies outside a {Width}x{Height} image.");
        }

        return (y * Width) + x;
    }
}
