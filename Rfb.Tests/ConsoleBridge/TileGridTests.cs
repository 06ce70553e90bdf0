using ConsoleBridge;
using ConsoleBridge.Damage;

namespace Rfb.Tests.ConsoleBridge;

public sealed class TileGridTests
{
    [Fact]
    public void MergeTiles_AdjacentTilesInRowsWithSameColumns_JoinIntoOneRectangle()
    {
        var grid = new TileGrid(200, 150, 64); // 4 x 3 tiles, last column 8 px, last row 22 px
        var map = new bool[grid.TileCount];
        grid.MarkTiles(new PixelRect(70, 10, 100, 100), map); // columns 1..2, rows 0..1
        grid.MarkTiles(new PixelRect(199, 149, 1, 1), map);   // bottom-right tile
        var rects = new List<PixelRect>();
        grid.MergeTiles(map, rects);
        Assert.Equal([new PixelRect(64, 0, 128, 128), new PixelRect(192, 128, 8, 22)], rects);
    }

    [Fact]
    public void MergeTiles_LShape_TwoRectangles()
    {
        // 4 x 3 tiles of 64 px. Marked (X):
        //   X . . .
        //   X . . .
        //   X X X .
        var grid = new TileGrid(256, 192, 64);
        bool[] map = Map(grid, "X...", "X...", "XXX.");
        var rects = new List<PixelRect>();
        grid.MergeTiles(map, rects);
        // Column 0 runs down two rows; the third row's run has other columns, so it starts anew.
        Assert.Equal([new PixelRect(0, 0, 64, 128), new PixelRect(0, 128, 192, 64)], rects);
        AssertExactCover(grid, map, rects);
    }

    [Fact]
    public void MergeTiles_Checkerboard_OneRectanglePerTileInRasterOrder()
    {
        var grid = new TileGrid(200, 150, 64); // edge tiles are 8 px wide and 22 px high
        bool[] map = Map(grid, "X.X.", ".X.X", "X.X.");
        var rects = new List<PixelRect>();
        grid.MergeTiles(map, rects);
        Assert.Equal(
            [
                new PixelRect(0, 0, 64, 64), new PixelRect(128, 0, 64, 64),
                new PixelRect(64, 64, 64, 64), new PixelRect(192, 64, 8, 64),
                new PixelRect(0, 128, 64, 22), new PixelRect(128, 128, 64, 22),
            ],
            rects);
        AssertExactCover(grid, map, rects);
    }

    [Fact]
    public void MergeTiles_FullGrid_OneRectangleClippedToTheGrid()
    {
        var grid = new TileGrid(200, 150, 64);
        var map = new bool[grid.TileCount];
        Array.Fill(map, true);
        var rects = new List<PixelRect>();
        grid.MergeTiles(map, rects);
        Assert.Equal([new PixelRect(0, 0, 200, 150)], rects);
    }

    [Fact]
    public void MergeTiles_Empty_NoRectangles()
    {
        var grid = new TileGrid(200, 150, 64);
        var rects = new List<PixelRect>();
        grid.MergeTiles(new bool[grid.TileCount], rects);
        Assert.Empty(rects);
    }

    [Fact]
    public void MergeTiles_SameRunInNonConsecutiveRows_NotJoined()
    {
        var grid = new TileGrid(256, 192, 64);
        bool[] map = Map(grid, ".XX.", "....", ".XX.");
        var rects = new List<PixelRect>();
        grid.MergeTiles(map, rects);
        Assert.Equal([new PixelRect(64, 0, 128, 64), new PixelRect(64, 128, 128, 64)], rects);
    }

    [Fact]
    public void MergeTiles_TwoRunsInARowEachContinued_TwoColumnsOfRectangles()
    {
        var grid = new TileGrid(320, 192, 64);
        bool[] map = Map(grid, "XX.XX", "XX.XX", "XXXXX");
        var rects = new List<PixelRect>();
        grid.MergeTiles(map, rects);
        Assert.Equal([new PixelRect(0, 0, 128, 128), new PixelRect(192, 0, 128, 128), new PixelRect(0, 128, 320, 64)], rects);
    }

    [Theory]
    [InlineData(200, 150, 64, 1)]
    [InlineData(1000, 700, 64, 2)]
    [InlineData(65, 65, 64, 3)]
    [InlineData(130 * 64 + 5, 200, 64, 4)]   // more than 128 columns: the heap-allocated path
    [InlineData(333, 111, 16, 5)]
    public void MergeTiles_RandomMaps_ExactNonOverlappingCoverInRasterOrder(int width, int height, int tileSize, int seed)
    {
        var grid = new TileGrid(width, height, tileSize);
        var random = new Random(seed);
        for (int round = 0; round < 50; round++)
        {
            var map = new bool[grid.TileCount];
            int density = random.Next(1, 100);
            for (int i = 0; i < map.Length; i++)
            {
                map[i] = random.Next(100) < density;
            }

            var rects = new List<PixelRect>();
            grid.MergeTiles(map, rects);
            AssertExactCover(grid, map, rects);
        }
    }

    [Fact]
    public void MarkTiles_RectanglePartlyOutside_MarksOnlyTilesInside()
    {
        var grid = new TileGrid(200, 150, 64);
        var map = new bool[grid.TileCount];
        grid.MarkTiles(new PixelRect(-100, 120, 170, 1000), map);
        Assert.Equal(Map(grid, "....", "XX..", "XX.."), map);
        grid.MarkTiles(new PixelRect(500, 0, 10, 10), map); // wholly outside
        Assert.Equal(Map(grid, "....", "XX..", "XX.."), map);
    }

    [Fact]
    public void AccumulateChangedSince_MapTooSmall_ThrowsArgumentException()
    {
        var grid = new TileGrid(200, 150, 64);
        Assert.Throws<ArgumentException>(() => grid.AccumulateChangedSince(0, new bool[grid.TileCount - 1]));
    }

    [Fact]
    public void AccumulateChangedSince_LeavesAlreadySetEntries()
    {
        var grid = new TileGrid(200, 150, 64);
        grid.Stamp(new PixelRect(70, 70, 1, 1), grid.NextGeneration()); // tile 5, generation 1
        var dirty = new bool[grid.TileCount];
        dirty[0] = true;
        grid.AccumulateChangedSince(0, dirty);
        Assert.Equal(Map(grid, "X...", ".X..", "...."), dirty);
        Assert.Equal(1, grid.NewestGeneration(new PixelRect(0, 0, 200, 150)));
        Assert.Equal(0, grid.NewestGeneration(new PixelRect(0, 0, 64, 64)));
    }

    [Theory]
    [InlineData(7)]
    [InlineData(0)]
    public void Constructor_TileSizeBelowEight_Throws(int tileSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileGrid(100, 100, tileSize));
    }

    private static bool[] Map(TileGrid grid, params string[] rows)
    {
        Assert.Equal(grid.Rows, rows.Length);
        var map = new bool[grid.TileCount];
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.Equal(grid.Columns, rows[r].Length);
            for (int c = 0; c < rows[r].Length; c++)
            {
                map[r * grid.Columns + c] = rows[r][c] == 'X';
            }
        }

        return map;
    }

    /// <summary>
    /// Rasterises the rectangles back into a tile map: each must be tile-aligned and inside the
    /// grid, no tile may be covered twice, the cover must equal the marked tiles, and the
    /// rectangles must come in raster order (by top, then left).
    /// </summary>
    private static void AssertExactCover(TileGrid grid, bool[] map, List<PixelRect> rects)
    {
        var covered = new int[grid.TileCount];
        PixelRect? previous = null;
        foreach (PixelRect rect in rects)
        {
            Assert.False(rect.IsEmpty);
            Assert.True(new PixelRect(0, 0, grid.Width, grid.Height).Contains(rect), $"{rect} is outside the grid");
            Assert.Equal(0, rect.X % grid.TileSize);
            Assert.Equal(0, rect.Y % grid.TileSize);
            Assert.True(rect.Right % grid.TileSize == 0 || rect.Right == grid.Width, $"{rect} does not end on a tile edge");
            Assert.True(rect.Bottom % grid.TileSize == 0 || rect.Bottom == grid.Height, $"{rect} does not end on a tile edge");
            if (previous is PixelRect p)
            {
                Assert.True(rect.Y > p.Y || (rect.Y == p.Y && rect.X > p.X), $"{rect} follows {p}: not raster order");
            }

            for (int y = rect.Y; y < rect.Bottom; y += grid.TileSize)
            {
                for (int x = rect.X; x < rect.Right; x += grid.TileSize)
                {
                    covered[(y / grid.TileSize) * grid.Columns + x / grid.TileSize]++;
                }
            }

            previous = rect;
        }

        for (int i = 0; i < map.Length; i++)
        {
            Assert.True(covered[i] <= 1, $"tile {i} is covered {covered[i]} times");
            Assert.True((covered[i] == 1) == map[i], $"tile {i}: marked {map[i]}, covered {covered[i]}");
        }
    }
}
