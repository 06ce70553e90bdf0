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

    [Theory]
    [InlineData(1, 1, 1, 5)]
    [InlineData(7, 3, 9, 5)]
    [InlineData(8, 4, 8, 5)]
    [InlineData(61, 17, 64, 40)]
    [InlineData(200, 30, 211, 255)]
    [InlineData(200, 30, 211, 300)]
    public void TryIndex_EveryWayOfCounting_SameIndicesPaletteAndVerdict(int width, int height, int stride, int colours)
    {
        // Runs of 1 to 40 pixels across row ends, from a set of colours; the top byte varies (not
        // colour) and must be ignored by both paths.
        var random = new Random(width * 1000 + colours);
        var pixels = new uint[(height - 1) * stride + width + 8];
        uint[] set = Enumerable.Range(0, colours).Select(i => (uint)(i * 0x010307 + 0x20)).ToArray();
        for (int i = 0; i < pixels.Length;)
        {
            uint colour = set[random.Next(set.Length)];
            for (int n = random.Next(1, 41); n > 0 && i < pixels.Length; n--, i++)
            {
                pixels[i] = colour | ((uint)random.Next(256) << 24);
            }
        }

        var view = new Rfb.Encodings.PixelView(pixels, stride, width, height);
        var scalar = new PaletteCounter { VectorRuns = false, LookUpMixedGroups = false };
        var b = new byte[width * height];
        bool fitsB = scalar.TryIndex(view, PaletteCounter.MaxColours, b);
        foreach ((bool runs, bool lookUp) in new[] { (true, false), (false, true), (true, true) })
        {
            var vector = new PaletteCounter { VectorRuns = runs, LookUpMixedGroups = lookUp };
            var a = new byte[width * height];
            bool fitsA = vector.TryIndex(view, PaletteCounter.MaxColours, a);

            Assert.Equal(fitsB, fitsA);
            if (fitsA)
            {
                Assert.Equal(b, a);
                Assert.Equal(scalar.Colours.ToArray(), vector.Colours.ToArray());
                for (int y = 0, k = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++, k++)
                    {
                        Assert.Equal(pixels[y * stride + x] & 0x00FF_FFFF, vector.Colours[a[k]]);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(128)]
    [InlineData(129)]
    [InlineData(256)]
    public void Remap_EveryPathTheProcessorHas_MatchesTheTableLookup(int colours)
    {
        // A shuffled table and indices of every value below the count, in lengths around the
        // 16- and 64-byte blocks; each path must give the plain lookup's bytes.
        var random = new Random(colours);
        byte[] table = Enumerable.Range(0, colours).Select(i => (byte)i).OrderBy(_ => random.Next()).ToArray();
        var paths = new List<PaletteCounter.RemapPath> { PaletteCounter.RemapPath.Best };
        if (System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated && colours <= 16)
        {
            paths.Add(PaletteCounter.RemapPath.Vector128);
        }

        if (System.Runtime.Intrinsics.X86.Avx512Vbmi.IsSupported)
        {
            paths.Add(PaletteCounter.RemapPath.Avx512Vbmi);
        }

        foreach (int length in new[] { 0, 1, 15, 16, 17, 63, 64, 65, 200, 4099 })
        {
            byte[] indices = Enumerable.Range(0, length).Select(_ => (byte)random.Next(colours)).ToArray();
            byte[] expected = indices.Select(i => table[i]).ToArray();
            foreach (PaletteCounter.RemapPath path in paths)
            {
                byte[] actual = (byte[])indices.Clone();
                PaletteCounter.Remap(actual, table, colours, path);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{path}, {colours} colours, {length} indices");
            }
        }
    }

    [Fact]
    public void SortByValue_VectorAndScalarRemap_SameIndices()
    {
        // 200 colours in first-appearance order unlike their value order, so the remap is needed.
        var pixels = new uint[300 * 7];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)(((i * 37) % 200) * 0x010101 ^ 0x00A5A5A5);
        }

        var view = new Rfb.Encodings.PixelView(pixels, 300, 300, 7);
        var vector = new PaletteCounter { VectorRemap = true };
        var scalar = new PaletteCounter { VectorRemap = false };
        var a = new byte[pixels.Length];
        var b = new byte[pixels.Length];
        Assert.True(vector.TryIndex(view, PaletteCounter.MaxColours, a));
        Assert.True(scalar.TryIndex(view, PaletteCounter.MaxColours, b));
        vector.SortByValue(a);
        scalar.SortByValue(b);
        Assert.Equal(b, a);
        for (int i = 0; i < pixels.Length; i++)
        {
            Assert.Equal(pixels[i] & 0x00FF_FFFF, vector.Colours[a[i]]);
        }
    }
}
