using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

public sealed class DisplayConsoleRefreshTests
{
    // 200x150 with 64-pixel tiles: 4 columns (the last 8 px wide) and 3 rows (the last 22 px high).
    private const int Width = 200, Height = 150;

    [Fact]
    public void Refresh_InvalidatedButUnchanged_ReturnsFalseAndKeepsGenerations()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long generation = ReferencePixels.Generation(console);
        long[] tiles = ReferencePixels.TileGenerations(console);
        int updates = 0;
        console.Updated += (_, _) => updates++;

        console.Invalidate(0, 0, Width, Height);
        console.Invalidate(10, 10, 5, 5);
        Assert.False(console.Refresh());
        Assert.False(console.Refresh()); // nothing pending at all

        Assert.Equal(generation, ReferencePixels.Generation(console));
        Assert.Equal(tiles, ReferencePixels.TileGenerations(console));
        Assert.Equal(0, updates);
    }

    [Fact]
    public void Refresh_OnePixelChanged_StampsOnlyItsTile()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);
        long[] tiles = ReferencePixels.TileGenerations(console);
        int updates = 0;
        console.Updated += (_, _) => updates++;

        surface.Touch(130, 70); // tile column 2, row 1: index 6
        console.Invalidate(0, 0, Width, Height);
        Assert.True(console.Refresh());

        Assert.Equal(1, updates);
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
        tiles[6] = before + 1;
        Assert.Equal(tiles, ReferencePixels.TileGenerations(console));
        using ShadowReadScope scope = console.ReadShadow();
        Assert.Equal(before + 1, scope.Tiles.Generation);
        var dirty = new bool[scope.Tiles.TileCount];
        scope.Tiles.AccumulateChangedSince(before, dirty);
        Assert.Equal([false, false, false, false, false, false, true, false, false, false, false, false], dirty);
        var none = new bool[scope.Tiles.TileCount];
        scope.Tiles.AccumulateChangedSince(before + 1, none);
        Assert.DoesNotContain(true, none);
    }

    [Fact]
    public void Refresh_ChangeOutsideInvalidatedArea_IsNotCopied()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        uint[] before = ReferencePixels.Shadow(console);

        surface.Touch(5, 5);
        console.Invalidate(100, 100, 50, 50);
        Assert.False(console.Refresh());
        Assert.Equal(before, ReferencePixels.Shadow(console));
    }

    [Fact]
    public void Refresh_ChangesInTwoTiles_ShareOneGeneration()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);
        long[] tiles = ReferencePixels.TileGenerations(console);

        surface.Touch(0, 0);       // tile 0
        surface.Touch(199, 149);   // tile 11, the clipped corner tile
        console.Invalidate(0, 0, 1, 1);
        console.Invalidate(199, 149, 1, 1);
        Assert.True(console.Refresh());

        tiles[0] = before + 1;
        tiles[11] = before + 1;
        Assert.Equal(tiles, ReferencePixels.TileGenerations(console));
        Assert.Equal(before + 1, ReferencePixels.Generation(console));
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public void Refresh_ConsecutiveChanges_GetIncreasingGenerations()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);

        surface.Touch(10, 10);
        console.Invalidate(10, 10, 1, 1);
        Assert.True(console.Refresh());
        surface.Touch(70, 10);
        console.Invalidate(70, 10, 1, 1);
        Assert.True(console.Refresh());

        long[] tiles = ReferencePixels.TileGenerations(console);
        Assert.Equal(before + 1, tiles[0]);
        Assert.Equal(before + 2, tiles[1]);
        using ShadowReadScope scope = console.ReadShadow();
        var dirty = new bool[scope.Tiles.TileCount];
        scope.Tiles.AccumulateChangedSince(before + 1, dirty);
        Assert.Equal([false, true, false, false, false, false, false, false, false, false, false, false], dirty);
    }

    [Fact]
    public void Refresh_SeveralChangesInOneTileSegmentAndRow_AllCopied()
    {
        // Once a tile is known changed the rest of it is copied without comparing: every
        // later difference in that tile must still reach the shadow.
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        for (int y = 0; y < 64; y += 7)
        {
            for (int x = 1; x < 64; x += 9)
            {
                surface.Touch(x, y);
            }
        }

        console.Invalidate(0, 0, 64, 64);
        Assert.True(console.Refresh());
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Theory]
    [InlineData(-10, -10, 20, 20, 5, 5, 0)]
    [InlineData(190, 140, 100, 100, 199, 149, 11)]
    [InlineData(-1000, 100, 2000, 1, 150, 100, 6)]
    [InlineData(63, -5, 2, 200, 64, 149, 9)]
    public void Refresh_RectanglePartlyOutside_IsClippedAndCatchesTheChange(int x, int y, int w, int h, int px, int py, int tile)
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);
        long[] tiles = ReferencePixels.TileGenerations(console);

        surface.Touch(px, py);
        console.Invalidate(x, y, w, h);
        Assert.True(console.Refresh());

        tiles[tile] = before + 1;
        Assert.Equal(tiles, ReferencePixels.TileGenerations(console));
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Theory]
    [InlineData(200, 0, 10, 10)]
    [InlineData(-50, -50, 50, 50)]
    [InlineData(0, 150, 200, 1)]
    [InlineData(0, 0, 0, 10)]
    [InlineData(0, 0, 10, -3)]
    public void Refresh_RectangleEntirelyOutsideOrEmpty_ChangesNothing(int x, int y, int w, int h)
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);

        surface.Touch(0, 0);
        surface.Touch(199, 149);
        console.Invalidate(x, y, w, h);
        Assert.False(console.Refresh());
        Assert.Equal(before, ReferencePixels.Generation(console));
    }

    [Fact]
    public void Refresh_MoreThanMaxPendingRectangles_CatchesEveryChangeAndOnlyThoseTiles()
    {
        var surface = new TestSurface(640, 480, seed: 3); // 10 x 8 tiles
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);
        long[] tiles = ReferencePixels.TileGenerations(console);

        // 100 single-pixel invalidations at distinct places, some clustered, some spread. Every
        // other pixel is changed and changed back: its invalidation must not stamp its tile.
        var random = new Random(11);
        var expectedDirty = new bool[tiles.Length];
        var used = new HashSet<(int, int)>();
        int count = DisplayConsole.MaxPendingRects + 36;
        for (int i = 0; i < count; i++)
        {
            int x, y;
            do
            {
                x = i % 3 == 0 ? random.Next(64, 192) : random.Next(640);
                y = random.Next(480);
            }
            while (!used.Add((x, y)));

            surface.Touch(x, y);
            if (i % 2 == 0)
            {
                expectedDirty[(y / 64) * 10 + x / 64] = true;
            }
            else
            {
                surface.Touch(x, y);
            }

            console.Invalidate(x, y, 1, 1);
        }

        Assert.True(console.Refresh());
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
        long[] after = ReferencePixels.TileGenerations(console);
        for (int i = 0; i < tiles.Length; i++)
        {
            Assert.Equal(expectedDirty[i] ? before + 1 : tiles[i], after[i]);
        }
    }

    [Fact]
    public void Refresh_NoSurfaceYet_DropsDamageAndReturnsFalse()
    {
        using DisplayConsole console = TestSurface.ManualConsole();
        long generation = ReferencePixels.Generation(console);
        console.Invalidate(0, 0, 10, 10);
        Assert.False(console.Refresh());
        Assert.Equal(generation, ReferencePixels.Generation(console));
        Assert.Null(console.Surface);
        Assert.Equal((640, 480), (console.Width, console.Height));
        Assert.All(ReferencePixels.Shadow(console), p => Assert.Equal(0u, p));
    }

    [Fact]
    public void Refresh_AfterDispose_ThrowsObjectDisposed()
    {
        DisplayConsole console = TestSurface.ManualConsole();
        console.Dispose();
        console.Dispose(); // twice is fine
        Assert.Throws<ObjectDisposedException>(() => console.Refresh());
        Assert.Throws<ObjectDisposedException>(() => console.SwitchSurface(new TestSurface(4, 4).Surface));
        Assert.Throws<ObjectDisposedException>(() => console.CopyRect(0, 0, 1, 1, 1, 1));
    }
}
