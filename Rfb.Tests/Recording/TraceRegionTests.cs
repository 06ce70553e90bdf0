using Rfb.Recording;

namespace Rfb.Tests.Recording;

public sealed class TraceRegionTests
{
    [Fact]
    public void Union_StripsOfOneRectangle_GiveTheRectangle()
    {
        // A recording server's cut of a 100x60 area: side by side, then below, in any order.
        (int, int, int, int)[] strips = [(50, 10, 50, 20), (0, 10, 50, 20), (0, 30, 100, 40)];

        Assert.Equal([(0, 10, 100, 60)], TraceRegion.Union(strips));
    }

    [Fact]
    public void Union_OverlappingRectangles_GiveBandsThatCoverEachPixelOnce()
    {
        // Two overlapping squares: the band above, the shared rows, the band below.
        (int, int, int, int)[] rects = [(0, 0, 40, 40), (20, 20, 40, 40)];

        Assert.Equal([(0, 0, 40, 20), (0, 20, 60, 20), (20, 40, 40, 20)], TraceRegion.Union(rects));
    }

    [Fact]
    public void Union_SeparateRectanglesAndEmptyOnes_KeepsTheGapsAndDropsTheEmpty()
    {
        // Two rectangles with a column between them on the same rows, and an empty one.
        (int, int, int, int)[] rects = [(0, 0, 10, 10), (20, 0, 10, 10), (5, 5, 0, 7)];

        Assert.Equal([(0, 0, 10, 10), (20, 0, 10, 10)], TraceRegion.Union(rects));
    }
}
