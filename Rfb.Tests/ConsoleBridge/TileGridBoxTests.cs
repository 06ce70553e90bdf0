using ConsoleBridge;
using ConsoleBridge.Damage;

namespace Rfb.Tests.ConsoleBridge;

/// <summary>The per-tile bounds of the latest change, what a reader is owed from them, and how boxes merge.</summary>
public sealed class TileGridBoxTests
{
    [Fact]
    public void OwedSince_ReaderMissedOnlyTheLatestChange_GetsItsBounds()
    {
        var grid = new TileGrid(200, 150, 64);
        long first = grid.NextGeneration();
        grid.Stamp(new PixelRect(0, 0, 200, 150), first);
        long second = grid.NextGeneration();
        grid.Stamp(new PixelRect(70, 80, 10, 3), second); // inside tile 5 (column 1, row 1)

        Assert.Equal(first, grid.PreviousGeneration(5));
        Assert.Equal(new PixelRect(70, 80, 10, 3), grid.ChangeBounds(5));
        Assert.Equal(new PixelRect(70, 80, 10, 3), grid.OwedSince(5, first));
        Assert.Equal(default, grid.OwedSince(5, second));
        Assert.Equal(default, grid.OwedSince(0, first)); // tile 0 did not change after the first stamp
    }

    [Fact]
    public void OwedSince_ReaderMissedTwoChanges_GetsTheUnionOfTheirBounds()
    {
        var grid = new TileGrid(200, 150, 64);
        long first = grid.NextGeneration();
        grid.Stamp(new PixelRect(0, 0, 200, 150), first);
        grid.Stamp(new PixelRect(70, 80, 1, 1), grid.NextGeneration());
        grid.Stamp(new PixelRect(100, 100, 1, 1), grid.NextGeneration());

        Assert.Equal(new PixelRect(70, 80, 31, 21), grid.OwedSince(5, first));
        Assert.Equal(new PixelRect(64, 64, 64, 64), grid.OwedSince(5, -1)); // unknown: whole tile
        // The tile at the grid's corner is clipped: columns 192..199, rows 128..149.
        Assert.Equal(new PixelRect(192, 128, 8, 22), grid.OwedSince(grid.TileCount - 1, -1));
    }

    [Fact]
    public void OwedSince_ReaderMissedMoreChangesThanTheTileKeeps_GetsWholeTile()
    {
        var grid = new TileGrid(200, 150, 64);
        long first = grid.NextGeneration();
        grid.Stamp(new PixelRect(0, 0, 200, 150), first);
        long second = grid.NextGeneration();
        grid.Stamp(new PixelRect(70, 70, 1, 1), second);
        for (int k = 1; k < TileGrid.HistoryDepth; k++)
        {
            grid.Stamp(new PixelRect(70 + k, 70, 1, 1), grid.NextGeneration());
        }

        // The tile keeps the last HistoryDepth changes: those since the second are all known,
        // the one after the first has been dropped.
        Assert.Equal(new PixelRect(71, 70, TileGrid.HistoryDepth - 1, 1), grid.OwedSince(5, second));
        Assert.Equal(new PixelRect(70, 70, TileGrid.HistoryDepth, 1), grid.OwedSince(5, first));
        grid.Stamp(new PixelRect(100, 100, 1, 1), grid.NextGeneration());
        Assert.Equal(new PixelRect(64, 64, 64, 64), grid.OwedSince(5, first));
        Assert.Equal(new PixelRect(71, 70, 30, 31), grid.OwedSince(5, second));
    }

    [Fact]
    public void ChangedBetween_CountsOnlyChangesInsideTheRange()
    {
        var grid = new TileGrid(128, 64, 64);
        long first = grid.NextGeneration();
        grid.Stamp(new PixelRect(0, 0, 128, 64), first);
        long a = grid.NextGeneration();
        grid.Stamp(new PixelRect(5, 5, 2, 2), a);
        long b = grid.NextGeneration();
        grid.Stamp(new PixelRect(40, 40, 3, 3), b);
        long c = grid.NextGeneration();
        grid.Stamp(new PixelRect(20, 20, 1, 1), c);

        Assert.Equal(new PixelRect(5, 5, 2, 2), grid.ChangedBetween(0, first, b));
        Assert.Equal(new PixelRect(5, 5, 38, 38), grid.ChangedBetween(0, first, c));
        Assert.Equal(new PixelRect(40, 40, 3, 3), grid.ChangedBetween(0, a, c));
        Assert.Equal(default, grid.ChangedBetween(0, c, long.MaxValue));
        Assert.Equal(default, grid.ChangedBetween(1, first, long.MaxValue)); // tile 1 changed only at the first
        Assert.Equal(new PixelRect(0, 0, 64, 64), grid.ChangedBetween(0, -1, b)); // unknown: whole tile
    }

    [Fact]
    public void Stamp_SameGenerationTwice_WidensBoundsAndKeepsPreviousGeneration()
    {
        var grid = new TileGrid(128, 64, 64);
        long first = grid.NextGeneration();
        grid.Stamp(new PixelRect(0, 0, 128, 64), first);
        long second = grid.NextGeneration();
        grid.Stamp(new PixelRect(2, 3, 1, 1), second);
        grid.Stamp(new PixelRect(10, 20, 2, 2), second);

        Assert.Equal(first, grid.PreviousGeneration(0));
        Assert.Equal(new PixelRect(2, 3, 10, 19), grid.ChangeBounds(0));
    }

    [Fact]
    public void AccumulateChangesSince_UnionsWithWhatIsAlreadyOwed()
    {
        var grid = new TileGrid(128, 64, 64);
        long first = grid.NextGeneration();
        grid.Stamp(new PixelRect(0, 0, 128, 64), first);
        grid.Stamp(new PixelRect(10, 10, 5, 5), grid.NextGeneration());
        var owed = new PixelRect[grid.TileCount];
        owed[0] = new PixelRect(40, 40, 2, 2);
        owed[1] = new PixelRect(70, 1, 1, 1);

        grid.AccumulateChangesSince(first, owed);

        Assert.Equal(new PixelRect(10, 10, 32, 32), owed[0]);
        Assert.Equal(new PixelRect(70, 1, 1, 1), owed[1]);
        Assert.Throws<ArgumentException>(() => grid.AccumulateChangesSince(0, new PixelRect[1]));
    }

    [Fact]
    public void MergeBoxes_SameRowsAcrossAdjacentTiles_OneRectangle()
    {
        var grid = new TileGrid(256, 128, 64);
        var boxes = new PixelRect[grid.TileCount];
        for (int c = 0; c < 4; c++)
        {
            boxes[c] = new PixelRect(c * 64, 10, 64, 3);
        }

        var rects = new List<PixelRect>();
        grid.MergeBoxes(boxes, rects);
        Assert.Equal([new PixelRect(0, 10, 256, 3)], rects);
    }

    [Fact]
    public void MergeBoxes_RowsStraddlingATileEdge_JoinedAcrossTileRows()
    {
        var grid = new TileGrid(128, 128, 64);
        PixelRect[] boxes =
        [
            new PixelRect(0, 60, 64, 4), new PixelRect(64, 60, 64, 4),
            new PixelRect(0, 64, 64, 4), new PixelRect(64, 64, 64, 4),
        ];
        var rects = new List<PixelRect>();
        grid.MergeBoxes(boxes, rects);
        Assert.Equal([new PixelRect(0, 60, 128, 8)], rects);
    }

    [Fact]
    public void MergeBoxes_FarApartSmallBoxes_StaySeparateInRasterOrder()
    {
        // Joining 2x2 at the top-left of tile 0 with 2x2 at the bottom-right of tile 1 would
        // send a 128x64 rectangle for 8 pixels: the waste (8184 pixels) is far above the
        // allowance (2 x 64 = 128 pixels, or an eighth of 8).
        var grid = new TileGrid(128, 128, 64);
        PixelRect[] boxes =
        [
            new PixelRect(0, 0, 2, 2), new PixelRect(126, 62, 2, 2),
            default, new PixelRect(64, 64, 64, 64),
        ];
        var rects = new List<PixelRect>();
        grid.MergeBoxes(boxes, rects);
        Assert.Equal([new PixelRect(0, 0, 2, 2), new PixelRect(126, 62, 2, 2), new PixelRect(64, 64, 64, 64)], rects);
    }

    [Fact]
    public void MergeBoxes_AcrossColumns_JoinsARaggedColumnOfBoxesOnlyWhenAsked()
    {
        // Text with a ragged right edge: tile row 0 changed in columns 0..2, row 1 in 0..1, row 2
        // in 0..3, each box a whole tile. Same columns only: three rectangles; across columns:
        // one, 256 x 192, adding 3 tiles to the 9 changed.
        var grid = new TileGrid(256, 192, 64);
        var boxes = new PixelRect[grid.TileCount];
        foreach ((int column, int row) in new[] { (0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (0, 2), (1, 2), (2, 2), (3, 2) })
        {
            boxes[(row * 4) + column] = grid.TileBounds((row * 4) + column);
        }

        var rects = new List<PixelRect>();
        grid.MergeBoxes(boxes, rects);
        Assert.Equal([new PixelRect(0, 0, 192, 64), new PixelRect(0, 64, 128, 64), new PixelRect(0, 128, 256, 64)], rects);
        rects.Clear();
        grid.MergeBoxes(boxes, rects, acrossColumns: true);
        Assert.Equal([new PixelRect(0, 0, 256, 192)], rects);

        // Boxes whose columns do not overlap stay apart.
        var far = new PixelRect[grid.TileCount];
        far[0] = new PixelRect(0, 0, 64, 8);
        far[7] = new PixelRect(192, 120, 64, 8);
        rects.Clear();
        grid.MergeBoxes(far, rects, acrossColumns: true);
        Assert.Equal([new PixelRect(0, 0, 64, 8), new PixelRect(192, 120, 64, 8)], rects);
    }

    [Fact]
    public void MergeBoxes_AcrossColumns_AfterManyRectanglesOnlySameColumns()
    {
        // 448 isolated tiles (every other column and tile row of rows 0..27), then the ragged
        // pair of the test above in rows 30 and 31: past 256 placed rectangles the pair is no
        // longer joined across columns, so the work stays bounded on scattered damage.
        var grid = new TileGrid(4096, 2048, 64);
        var boxes = new PixelRect[grid.TileCount];
        for (int row = 0; row < 28; row += 2)
        {
            for (int column = 0; column < 64; column += 2)
            {
                boxes[(row * 64) + column] = grid.TileBounds((row * 64) + column);
            }
        }

        foreach ((int column, int row) in new[] { (0, 30), (1, 30), (2, 30), (0, 31), (1, 31) })
        {
            boxes[(row * 64) + column] = grid.TileBounds((row * 64) + column);
        }

        var rects = new List<PixelRect>();
        grid.MergeBoxes(boxes, rects, acrossColumns: true);
        Assert.Equal(450, rects.Count);
        Assert.Equal([new PixelRect(0, 1920, 192, 64), new PixelRect(0, 1984, 128, 64)], rects[^2..]);
    }

    [Fact]
    public void MergeBoxes_SlightlyDifferentRows_JoinedWhenTheWasteIsSmall()
    {
        // The allowance is the larger of 2 x 64 = 128 pixels and a quarter of the boxes' pixels.
        // Rows 10..25 in tile 0 and 20..23 in tile 1: the union 128x16 (2048 pixels) holds
        // 1024 + 256 = 1280 pixels of the boxes; 768 wasted > max(128, 320): kept apart.
        // Rows 10..25 and 11..25: union 2048, boxes 1024 + 960 = 1984, 64 wasted <= 496: joined.
        var grid = new TileGrid(128, 64, 64);
        var rects = new List<PixelRect>();
        grid.MergeBoxes([new PixelRect(0, 10, 64, 16), new PixelRect(64, 20, 64, 4)], rects);
        Assert.Equal([new PixelRect(0, 10, 64, 16), new PixelRect(64, 20, 64, 4)], rects);
        rects.Clear();
        grid.MergeBoxes([new PixelRect(0, 10, 64, 16), new PixelRect(64, 11, 64, 15)], rects);
        Assert.Equal([new PixelRect(0, 10, 128, 16)], rects);
    }

    [Theory]
    [InlineData(200, 150, 64, 1, false)]
    [InlineData(1000, 700, 64, 2, false)]
    [InlineData(130 * 64 + 5, 200, 64, 3, false)]
    [InlineData(333, 111, 16, 4, false)]
    [InlineData(200, 150, 64, 1, true)]
    [InlineData(1000, 700, 64, 2, true)]
    [InlineData(130 * 64 + 5, 200, 64, 3, true)]
    [InlineData(333, 111, 16, 4, true)]
    [InlineData(1280, 720, 64, 5, true)]
    public void MergeBoxes_RandomBoxes_CoverEveryBoxWithoutOverlapInRasterOrder(int width, int height, int tileSize, int seed, bool acrossColumns)
    {
        var grid = new TileGrid(width, height, tileSize);
        var random = new Random(seed);
        for (int round = 0; round < 30; round++)
        {
            var boxes = new PixelRect[grid.TileCount];
            int density = random.Next(1, 100);
            for (int i = 0; i < boxes.Length; i++)
            {
                if (random.Next(100) >= density)
                {
                    continue;
                }

                PixelRect tile = grid.TileBounds(i);
                int x0 = random.Next(tile.Width), y0 = random.Next(tile.Height);
                boxes[i] = random.Next(3) == 0
                    ? tile
                    : new PixelRect(tile.X + x0, tile.Y + y0, random.Next(1, tile.Width - x0 + 1), random.Next(1, tile.Height - y0 + 1));
            }

            var rects = new List<PixelRect>();
            grid.MergeBoxes(boxes, rects, acrossColumns);

            var covered = new byte[width * height];
            PixelRect? previous = null;
            foreach (PixelRect rect in rects)
            {
                Assert.True(new PixelRect(0, 0, width, height).Contains(rect), $"{rect} is outside the grid");
                if (previous is PixelRect p)
                {
                    Assert.True(rect.Y > p.Y || (rect.Y == p.Y && rect.X > p.X), $"{rect} follows {p}: not raster order");
                }

                previous = rect;
                for (int y = rect.Y; y < rect.Bottom; y++)
                {
                    for (int x = rect.X; x < rect.Right; x++)
                    {
                        Assert.Equal(0, covered[y * width + x]++);
                    }
                }
            }

            foreach (PixelRect box in boxes)
            {
                for (int y = box.Y; y < box.Bottom; y++)
                {
                    for (int x = box.X; x < box.Right; x++)
                    {
                        Assert.True(covered[y * width + x] == 1, $"pixel ({x}, {y}) of box {box} is not sent");
                    }
                }
            }
        }
    }

    [Fact]
    public void MergeBoxes_WholeTiles_SameRectanglesAsMergeTiles()
    {
        var grid = new TileGrid(1000, 700, 64);
        var random = new Random(9);
        for (int round = 0; round < 50; round++)
        {
            var map = new bool[grid.TileCount];
            var boxes = new PixelRect[grid.TileCount];
            for (int i = 0; i < map.Length; i++)
            {
                map[i] = random.Next(2) == 0;
                boxes[i] = map[i] ? grid.TileBounds(i) : default;
            }

            var expected = new List<PixelRect>();
            grid.MergeTiles(map, expected);
            var actual = new List<PixelRect>();
            grid.MergeBoxes(boxes, actual);
            Assert.Equal(expected, actual);
        }
    }
}
