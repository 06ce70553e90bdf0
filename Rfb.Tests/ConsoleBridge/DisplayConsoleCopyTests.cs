using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

public sealed class DisplayConsoleCopyTests
{
    // 200x150 with 64-pixel tiles: 4 x 3 tiles.
    private const int Width = 200, Height = 150;

    [Theory]
    [InlineData(0, 10, 0, 0, 200, 140)]     // scroll up, overlapping
    [InlineData(0, 0, 0, 10, 200, 140)]     // scroll down, overlapping
    [InlineData(10, 0, 0, 0, 190, 150)]     // left, overlapping within each row
    [InlineData(0, 0, 10, 0, 190, 150)]     // right, overlapping within each row
    [InlineData(0, 0, 1, 1, 199, 149)]      // down-right by one pixel
    [InlineData(5, 7, 20, 3, 100, 100)]     // right and up
    [InlineData(20, 3, 5, 7, 100, 100)]     // left and down
    [InlineData(0, 0, 100, 75, 100, 75)]    // disjoint
    [InlineData(199, 149, 0, 0, 1, 1)]      // one pixel, corner to corner
    public void CopyRect_Move_ShadowMatchesReferenceBlit(int sx, int sy, int dx, int dy, int w, int h)
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);

        // The reference: the blit done on the canonical image through a temporary copy.
        uint[] expected = ReferencePixels.Shadow(console);
        var expectedBytes = new byte[expected.Length * 4];
        Buffer.BlockCopy(expected, 0, expectedBytes, 0, expectedBytes.Length);
        ReferencePixels.Blit(expectedBytes, Width * 4, 4, new PixelRect(sx, sy, w, h), dx, dy);
        Buffer.BlockCopy(expectedBytes, 0, expected, 0, expectedBytes.Length);

        surface.Blit(new PixelRect(sx, sy, w, h), dx, dy);
        int updates = 0;
        console.Updated += (_, _) => updates++;
        console.CopyRect(sx, sy, dx, dy, w, h);

        Assert.Equal(1, updates);
        Assert.Equal(expected, ReferencePixels.Shadow(console));
        Assert.Equal(surface.Expected(), expected);

        // The destination is re-checked at the next refresh; the mirrored move left nothing to fix.
        long generation = ReferencePixels.Generation(console);
        Assert.False(console.Refresh());
        Assert.Equal(generation, ReferencePixels.Generation(console));
    }

    [Fact]
    public void CopyRect_Move_StampsDestinationTilesWithTheCopysGeneration()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);
        long[] tiles = ReferencePixels.TileGenerations(console);

        // Destination (60, 60, 10, 70) touches tile columns 0..1 and rows 0..2: tiles 0, 1, 4, 5, 8, 9.
        surface.Blit(new PixelRect(150, 10, 10, 70), 60, 60);
        console.CopyRect(150, 10, 60, 60, 10, 70);

        using ShadowReadScope scope = console.ReadShadow();
        ConsoleCopy copy = Assert.Single(scope.RecentCopies);
        Assert.Equal(before + 1, copy.Generation);
        Assert.Equal(copy.Generation, scope.Tiles.Generation);
        Assert.Equal(new PixelRect(150, 10, 10, 70), copy.Source);
        Assert.Equal(new PixelRect(60, 60, 10, 70), copy.Destination);
        Assert.Equal(before, copy.SourceGeneration);
        foreach (int i in new[] { 0, 1, 4, 5, 8, 9 })
        {
            tiles[i] = copy.Generation;
        }

        for (int i = 0; i < tiles.Length; i++)
        {
            Assert.Equal(tiles[i], scope.Tiles.TileGeneration(i));
        }
    }

    [Fact]
    public void CopyRect_PendingDamageBeforeTheMove_IsResolvedFirst()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long switched = ReferencePixels.Generation(console);

        // The guest draws in the source, then moves it: the drawing must travel with the move.
        surface.SetWord(10, 10, 0x00ABCDEFu);
        console.Invalidate(10, 10, 1, 1);
        surface.Blit(new PixelRect(0, 0, 20, 20), 150, 120);
        console.CopyRect(0, 0, 150, 120, 20, 20);

        using ShadowReadScope scope = console.ReadShadow();
        ConsoleCopy copy = Assert.Single(scope.RecentCopies);
        Assert.Equal(switched + 1, copy.SourceGeneration); // the refresh that resolved the drawing
        Assert.Equal(switched + 1, scope.Tiles.TileGeneration(0));
        Assert.Equal(switched + 2, copy.Generation);
        Assert.Equal(0x00ABCDEFu, scope.Pixels[130 * Width + 160]);
        Assert.Equal(surface.Expected(), scope.Pixels.ToArray());
    }

    [Fact]
    public void CopyRect_ScrollAfterPendingDamageUnderBoth_ShadowEndsCorrectAfterRefresh()
    {
        // Damage pending across the scrolled area is read after the guest already scrolled, so
        // the shadow's move works on moved pixels; the destination re-check must repair it.
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        for (int y = 0; y < Height; y += 5)
        {
            surface.Touch(y % Width, y);
        }

        console.Invalidate(0, 0, Width, Height);
        surface.Blit(new PixelRect(0, 16, Width, Height - 16), 0, 0);
        console.CopyRect(0, 16, 0, 0, Width, Height - 16);
        console.Refresh();

        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Theory]
    [InlineData(150, 0, 0, 0, 100, 10)]     // source runs past the right edge
    [InlineData(0, 0, 150, 100, 100, 100)]  // destination runs past the bottom-right
    [InlineData(-5, 0, 10, 10, 20, 20)]     // source starts left of the surface
    [InlineData(0, 0, 10, 10, 0, 20)]       // empty
    public void CopyRect_OutsideSurface_DegradesToDamageOfTheDestination(int sx, int sy, int dx, int dy, int w, int h)
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);
        int updates = 0;
        console.Updated += (_, _) => updates++;

        // What the guest's clipped blit does: change the visible part of the destination.
        var visible = new PixelRect(dx, dy, w, h).Intersect(new PixelRect(0, 0, Width, Height));
        for (int y = visible.Y; y < visible.Bottom; y++)
        {
            for (int x = visible.X; x < visible.Right; x++)
            {
                surface.Touch(x, y);
            }
        }

        console.CopyRect(sx, sy, dx, dy, w, h);
        Assert.Equal(0, updates);
        Assert.Equal(before, ReferencePixels.Generation(console));
        using (ShadowReadScope scope = console.ReadShadow())
        {
            Assert.Empty(scope.RecentCopies);
        }

        Assert.Equal(!visible.IsEmpty, console.Refresh());
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public void CopyRect_BeforeAnySurface_RecordsNothing()
    {
        using DisplayConsole console = TestSurface.ManualConsole();
        long before = ReferencePixels.Generation(console);
        console.CopyRect(0, 0, 10, 10, 20, 20);
        Assert.False(console.Refresh());
        Assert.Equal(before, ReferencePixels.Generation(console));
        using ShadowReadScope scope = console.ReadShadow();
        Assert.Empty(scope.RecentCopies);
    }

    [Fact]
    public void CopyRect_OntoItself_ChangesNothing()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);
        int updates = 0;
        console.Updated += (_, _) => updates++;
        console.CopyRect(10, 10, 10, 10, 50, 50);
        Assert.Equal(0, updates);
        Assert.Equal(before, ReferencePixels.Generation(console));
    }
}
