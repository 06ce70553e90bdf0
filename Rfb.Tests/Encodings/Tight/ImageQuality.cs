namespace Rfb.Tests.Encodings.Tight;

/// <summary>Peak signal-to-noise ratio over the red, green and blue channels of 0x00RRGGBB pixels.</summary>
internal static class ImageQuality
{
    public static double Psnr(ReadOnlySpan<uint> expected, ReadOnlySpan<uint> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double sum = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            for (int shift = 0; shift <= 16; shift += 8)
            {
                int d = (int)((expected[i] >> shift) & 0xFF) - (int)((actual[i] >> shift) & 0xFF);
                sum += d * d;
            }
        }

        double mse = sum / (expected.Length * 3.0);
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    /// <summary>A smooth colour field with mild noise: the photograph-like content JPEG is for.</summary>
    public static uint[] PhotoLike(int width, int height, int seed)
    {
        var random = new Random(seed);
        var pixels = new uint[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int r = Math.Clamp((int)(128 + (100 * Math.Sin(x / 23.0))) + random.Next(-6, 7), 0, 255);
                int g = Math.Clamp((int)(128 + (90 * Math.Cos(y / 17.0))) + random.Next(-6, 7), 0, 255);
                int b = Math.Clamp(((x + y) * 255 / (width + height)) + random.Next(-6, 7), 0, 255);
                pixels[(y * width) + x] = (uint)((r << 16) | (g << 8) | b);
            }
        }

        return pixels;
    }
}
