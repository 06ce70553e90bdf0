using Rfb.Encodings.Analysis;

namespace Rfb.Tests.Encodings.Analysis;

public sealed class PaletteCounterTests
{
    [Fact]
    public void SortByValue_IndicesFollowTheSortedPalette()
    {
        // Forty colours in descending order of value, each pixel's index renumbered with the sort.
        var pixels = new uint[40 * 3];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)(0x00FF_FFFF - ((i * 7) % 40) * 0x0101);
        }

        var counter = new PaletteCounter();
        var indices = new byte[pixels.Length];
        Assert.True(counter.TryIndex(new Rfb.Encodings.PixelView(pixels, 40, 40, 3), 256, indices));
        counter.SortByValue(indices);
        uint[] palette = counter.Colours.ToArray();
        Assert.Equal(palette.OrderBy(c => c), palette);
        for (int i = 0; i < pixels.Length; i++)
        {
            Assert.Equal(pixels[i], palette[indices[i]]);
        }
    }
}
