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
}
