using Rfb.Encodings;
using Rfb.Encodings.Analysis;

namespace Rfb.Tests.Encodings.Analysis;

public sealed class SolidAreaFinderTests
{
    private const uint Solid = 0x00_12_34_56;

    // TigerVNC's minimum, small enough for small test images.
    private const int MinArea = 2048;

    // Noise whose every pixel has bit 0 set, so no noise pixel equals the (even) solid colour.
    private static uint[] Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var pixels = new uint[width * height];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)random.Next(0x100_0000) | 1;
        }

        return pixels;
    }

    private static void Paint(uint[] pixels, int stride, int x, int y, int width, int height, uint colour)
    {
        for (int row = y; row < y + height; row++)
        {
            pixels.AsSpan((row * stride) + x, width).Fill(colour);
        }
    }

    private static List<SolidArea> Split(uint[] pixels, int width, int height)
    {
        var areas = new List<SolidArea>();
        SolidAreaFinder.Split(new PixelView(pixels, width, width, height), MinArea, areas);
        return areas;
    }

    private static void AssertCoversOnce(List<SolidArea> areas, int width, int height)
    {
        var covered = new int[width * height];
        foreach (SolidArea a in areas)
        {
            for (int row = a.Y; row < a.Y + a.Height; row++)
            {
                for (int col = a.X; col < a.X + a.Width; col++)
                {
                    covered[(row * width) + col]++;
                }
            }
        }

        Assert.All(covered, c => Assert.Equal(1, c));
    }

    [Fact]
    public void Split_SolidBlockOffTheGrid_FindsItToThePixelAndCoversTheRest()
    {
        // 70x45 = 3150 pixels at (21, 13), off the 16-pixel grid: found through the blocks inside
        // it, then grown pixel by pixel to its edges.
        var pixels = Noise(150, 100, 1);
        Paint(pixels, 150, 21, 13, 70, 45, Solid);

        List<SolidArea> areas = Split(pixels, 150, 100);

        SolidArea fill = Assert.Single(areas, a => a.IsFill);
        Assert.Equal(new SolidArea(21, 13, 70, 45, true, Solid), fill);
        Assert.Equal(5, areas.Count); // the fill, the bands above and below, the parts left and right
        AssertCoversOnce(areas, 150, 100);
    }

    [Fact]
    public void Split_SolidAreaUnder2048Pixels_LeavesItToTheEncoder()
    {
        var pixels = Noise(100, 100, 2);
        Paint(pixels, 100, 16, 16, 40, 40, Solid); // 1600 pixels

        List<SolidArea> areas = Split(pixels, 100, 100);

        Assert.Equal([new SolidArea(0, 0, 100, 100, false, 0)], areas);
    }

    [Fact]
    public void Split_TwoSolidAreas_FindsBothAsFillsOfTheirColours()
    {
        var pixels = Noise(200, 120, 3);
        Paint(pixels, 200, 0, 0, 64, 64, Solid);
        Paint(pixels, 200, 100, 70, 100, 50, 0x00_FF_FF_FE);

        List<SolidArea> areas = Split(pixels, 200, 120);

        Assert.Equal(
            [new SolidArea(0, 0, 64, 64, true, Solid), new SolidArea(100, 70, 100, 50, true, 0x00_FF_FF_FE)],
            areas.Where(a => a.IsFill).ToArray());
        AssertCoversOnce(areas, 200, 120);
    }

    [Fact]
    public void Split_LShapedSolidArea_TakesTheLargerRectangleFirstThenTheRest()
    {
        // An L: a 64x32 bar (2048 pixels) with a 32x128 column (4096 pixels with the bar's left
        // end) below its left end. Grown by blocks from (16, 16): 64x32 = 2048, then 32x48,
        // 32x64, ... 32x144 = 4608 pixels, the largest, so the column comes first.
        var pixels = Noise(160, 176, 4);
        Paint(pixels, 160, 16, 16, 64, 32, Solid);
        Paint(pixels, 160, 16, 48, 32, 112, Solid);

        List<SolidArea> areas = Split(pixels, 160, 176);

        SolidArea[] fills = areas.Where(a => a.IsFill).ToArray();
        Assert.Equal(new SolidArea(16, 16, 32, 144, true, Solid), fills[0]);
        Assert.Single(fills); // what is left of the bar, 32x32, is under 2048 pixels
        AssertCoversOnce(areas, 160, 176);
    }

    [Theory]
    // 96x48 at (16, 16); rows 20 and 40 carry the colour 10 and 3 pixels further right.
    [InlineData(16, 96, 20, 112, 10, 40, 112, 3)]
    // 80x48 at (40, 16); rows 30 and 50 carry the colour 20 and 5 pixels further left.
    [InlineData(40, 80, 30, 20, 20, 50, 35, 5)]
    public void Split_RaggedSideEdge_StopsAtTheNarrowestRow(int x, int width, int firstRow, int firstExtraX, int firstExtraWidth, int secondRow, int secondExtraX, int secondExtraWidth)
    {
        // The other rows do not carry the colour further, so the fill is the columns every row holds.
        var pixels = Noise(160, 96, x);
        Paint(pixels, 160, x, 16, width, 48, Solid);
        Paint(pixels, 160, firstExtraX, firstRow, firstExtraWidth, 1, Solid);
        Paint(pixels, 160, secondExtraX, secondRow, secondExtraWidth, 1, Solid);

        List<SolidArea> areas = Split(pixels, 160, 96);

        SolidArea fill = Assert.Single(areas, a => a.IsFill);
        Assert.Equal(new SolidArea(x, 16, width, 48, true, Solid), fill);
        AssertCoversOnce(areas, 160, 96);
    }

    [Fact]
    public void Split_SmallSolidRunBeforeALargeArea_StillFindsTheLargeArea()
    {
        // A 64x16 run (1024 pixels: a candidate, but too small even grown) at the top left, and
        // in the same block rows further right a 96x64 area: only the large one becomes a fill,
        // and the small one stays with the pixels to encode.
        var pixels = Noise(256, 128, 7);
        Paint(pixels, 256, 0, 0, 64, 16, Solid);
        Paint(pixels, 256, 128, 0, 96, 64, 0x00_AB_CD_EE);

        List<SolidArea> areas = Split(pixels, 256, 128);

        SolidArea fill = Assert.Single(areas, a => a.IsFill);
        Assert.Equal(new SolidArea(128, 0, 96, 64, true, 0x00_AB_CD_EE), fill);
        AssertCoversOnce(areas, 256, 128);
    }

    [Fact]
    public void Split_FillsAtTheRight_LeaveTheLeftColumnInOneArea()
    {
        // Two fills at different heights on the right; the uncovered column x < 100 spans the
        // rows of both bands the first fill cuts, so it stays one area.
        var pixels = Noise(256, 128, 8);
        Paint(pixels, 256, 100, 0, 60, 64, Solid);
        Paint(pixels, 256, 180, 32, 76, 96, Solid);

        List<SolidArea> areas = Split(pixels, 256, 128);

        Assert.Equal(
            [
                new SolidArea(0, 0, 100, 64, false, 0),
                new SolidArea(100, 0, 60, 64, true, Solid),
                new SolidArea(160, 0, 96, 32, false, 0),
                new SolidArea(160, 32, 20, 32, false, 0),
                new SolidArea(180, 32, 76, 96, true, Solid),
                new SolidArea(0, 64, 180, 64, false, 0),
            ],
            areas);
        AssertCoversOnce(areas, 256, 128);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Split_MosaicOfManyAreas_SameAreasOnAnyNumberOfThreadsAndEveryFillSolid(int seed)
    {
        // Many overlapping solid rectangles of a few colours on noise, on a whole screen: the
        // search takes many areas, so its cached rows are updated many times.
        const int width = 1280;
        const int height = 720;
        uint[] pixels = Noise(width, height, seed);
        var random = new Random(seed);
        uint[] colours = [0x00_10_20_30, 0x00_40_50_60, 0x00_70_80_90, 0x00_A0_B0_C0];
        for (int i = 0; i < 120; i++)
        {
            int w = random.Next(8, 400);
            int h = random.Next(8, 300);
            Paint(pixels, width, random.Next(width - w), random.Next(height - h), w, h, colours[random.Next(colours.Length)]);
        }

        var view = new PixelView(pixels, width, width, height);
        var one = new List<SolidArea>();
        SolidAreaFinder.Split(view, MinArea, one, 1);
        foreach (int threads in new[] { 2, 4 })
        {
            var many = new List<SolidArea>();
            SolidAreaFinder.Split(view, MinArea, many, threads);
            Assert.Equal(one, many);
        }

        AssertCoversOnce(one, width, height);
        List<SolidArea> fills = one.FindAll(a => a.IsFill);
        Assert.True(fills.Count > 20, $"only {fills.Count} fills");
        foreach (SolidArea f in fills)
        {
            Assert.True(f.Width * f.Height >= MinArea);
            for (int row = f.Y; row < f.Y + f.Height; row++)
            {
                Assert.True(pixels.AsSpan((row * width) + f.X, f.Width).IndexOfAnyExcept(f.Colour) < 0, $"fill {f} is not solid");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Split_LargeView_SearchesTwoBandsCutAtTheMiddleBlockRow(int threads)
    {
        // 1280x720 is 45 block rows, so the bands meet at row 22 * 16 = 352. A solid area across
        // that row becomes one fill in each band; one inside the lower band stays whole, and its
        // coordinates are the view's.
        const int width = 1280;
        const int height = 720;
        uint[] pixels = Noise(width, height, 11);
        Paint(pixels, width, 100, 300, 203, 101, Solid);
        Paint(pixels, width, 600, 500, 150, 70, 0x00_AB_CD_EE);

        var areas = new List<SolidArea>();
        SolidAreaFinder.Split(new PixelView(pixels, width, width, height), MinArea, areas, threads);

        Assert.Equal(
            [
                new SolidArea(100, 300, 203, 52, true, Solid),
                new SolidArea(100, 352, 203, 49, true, Solid),
                new SolidArea(600, 500, 150, 70, true, 0x00_AB_CD_EE),
            ],
            areas.FindAll(a => a.IsFill));
        Assert.DoesNotContain(areas, a => a.Y < 352 && a.Y + a.Height > 352);
        AssertCoversOnce(areas, width, height);
        for (int i = 1; i < areas.Count; i++)
        {
            Assert.True(areas[i - 1].Y < areas[i].Y || (areas[i - 1].Y == areas[i].Y && areas[i - 1].X < areas[i].X), $"{areas[i - 1]} before {areas[i]}");
        }

        // Searched whole, the area across the middle is one fill.
        var whole = new List<SolidArea>();
        SolidAreaFinder.Split(new PixelView(pixels, width, width, height), MinArea, whole, threads, bands: false);
        Assert.Contains(new SolidArea(100, 300, 203, 101, true, Solid), whole);
        AssertCoversOnce(whole, width, height);
    }
}
