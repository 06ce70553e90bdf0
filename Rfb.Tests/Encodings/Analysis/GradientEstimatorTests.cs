using Rfb.Encodings;
using Rfb.Encodings.Analysis;

namespace Rfb.Tests.Encodings.Analysis;

public sealed class GradientEstimatorTests
{
    [Theory]
    [InlineData(16, 16)]
    [InlineData(17, 30)]
    [InlineData(300, 5)]
    [InlineData(2, 200)]
    [InlineData(64, 64)]
    [InlineData(1000, 40)]
    public void IsFlat_AgreesWithClassify_ForEveryShareOfRepeats(int width, int height)
    {
        // Rows where a chosen share of pixels repeats its left neighbour (the top byte varies
        // too, and counts as a difference for both), around the half that decides.
        for (int percent = 0; percent <= 100; percent += 5)
        {
            var random = new Random(width * 31 + height * 7 + percent);
            int stride = width + 3;
            var pixels = new uint[stride * height];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    pixels[(y * stride) + x] = x > 0 && random.Next(100) < percent
                        ? pixels[(y * stride) + x - 1]
                        : (uint)random.Next();
                }
            }

            var view = new PixelView(pixels, stride, width, height);
            bool expected = GradientEstimator.Classify(view) == ContentKind.Flat;
            Assert.True(expected == GradientEstimator.IsFlat(view), $"{width}x{height}, {percent}% repeats: Classify says flat {expected}");
        }
    }

    [Fact]
    public void IsFlat_SmallOrThinViews_AreFlat()
    {
        var pixels = Enumerable.Range(0, 300).Select(i => (uint)(i * 7919)).ToArray();
        Assert.True(GradientEstimator.IsFlat(new PixelView(pixels, 300, 300, 1)));
        Assert.True(GradientEstimator.IsFlat(new PixelView(pixels, 1, 1, 300)));
        Assert.True(GradientEstimator.IsFlat(new PixelView(pixels, 15, 15, 15)));
        Assert.False(GradientEstimator.IsFlat(new PixelView(pixels, 20, 20, 15)));
    }
}
