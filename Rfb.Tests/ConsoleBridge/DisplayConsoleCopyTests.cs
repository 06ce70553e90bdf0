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

        // The shadow follows at once; readers hear of the blit at the next refresh, with whatever
        // else the frame drew.
        Assert.Equal(0, updates);
        Assert.Equal(expected, ReferencePixels.Shadow(console));
        Assert.Equal(surface.Expected(), expected);

        // The destination is re-checked at that refresh; the mirrored move left nothing to fix,
        // so it announces the blit and stamps nothing new.
        long generation = ReferencePixels.Generation(console);
        Assert.True(console.Refresh());
        Assert.Equal(1, updates);
        Assert.Equal(generation, ReferencePixels.Generation(console));
        Assert.False(console.Refresh());
        Assert.Equal(1, updates);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CopyRect_AutoRefresh_AnnouncedWithoutWaitingForATick(bool readerWaitsFirst)
    {
        var surface = new TestSurface(Width, Height);
        // Ticks an hour apart: only a wake-up can run the refresh thread during the test.
        using var console = new DisplayConsole(options: new DisplayConsoleOptions
        {
            MinRefreshInterval = TimeSpan.FromHours(1),
            MaxRefreshInterval = TimeSpan.FromHours(1),
        });
        console.SwitchSurface(surface.Surface);
        using var announced = new ManualResetEventSlim();
        console.Updated += (_, _) => announced.Set();
        announced.Reset();

        if (readerWaitsFirst)
        {
            console.RequestRefresh();
        }

        surface.Blit(new PixelRect(0, 0, 50, 50), 60, 60);
        console.CopyRect(0, 0, 60, 60, 50, 50);
        if (!readerWaitsFirst)
        {
            console.RequestRefresh();
        }

        Assert.True(announced.Wait(TimeSpan.FromSeconds(10)), "the blit was not announced");
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
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
    public void CopyRect_SourceGeneration_IsNewestGenerationUnderSource()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long switched = ReferencePixels.Generation(console);

        surface.Touch(70, 70); // tile 5
        console.Invalidate(70, 70, 1, 1);
        Assert.True(console.Refresh());
        surface.Touch(195, 140); // tile 11
        console.Invalidate(195, 140, 1, 1);
        Assert.True(console.Refresh());
        long tile5 = switched + 1, tile11 = switched + 2;

        // Source over tiles 0, 1, 4, 5: newest is tile 5's. The destination stamps tiles 1, 2, 3, 5, 6, 7.
        surface.Blit(new PixelRect(0, 0, 100, 100), 100, 0);
        console.CopyRect(0, 0, 100, 0, 100, 100);
        // Source over tiles 8 and 9 only, untouched since the switch. The destination stamps tiles 0, 1, 2.
        surface.Blit(new PixelRect(0, 130, 120, 20), 50, 0);
        console.CopyRect(0, 130, 50, 0, 120, 20);
        // Source over tiles 6, 7 (stamped by the first copy), 10 and 11: newest is the first copy's.
        surface.Blit(new PixelRect(190, 100, 10, 50), 0, 0);
        console.CopyRect(190, 100, 0, 0, 10, 50);

        using ShadowReadScope scope = console.ReadShadow();
        Assert.Equal(3, scope.RecentCopies.Count);
        Assert.Equal(tile5, scope.RecentCopies[0].SourceGeneration);
        Assert.Equal(tile11 + 1, scope.RecentCopies[0].Generation);
        Assert.Equal(switched, scope.RecentCopies[1].SourceGeneration);
        Assert.Equal(tile11 + 2, scope.RecentCopies[1].Generation);
        Assert.Equal(tile11 + 1, scope.RecentCopies[2].SourceGeneration);
        Assert.Equal(tile11 + 3, scope.RecentCopies[2].Generation);
        Assert.Equal(surface.Expected(), scope.Pixels.ToArray());
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

    [Fact]
    public void CopyRect_ConsecutiveScrollsBeforeAnyRefresh_ShadowRightAfterEachMove()
    {
        // A terminal scrolling fast: blit up one text line, report it, draw the new bottom line,
        // invalidate it; again, before the refresh thread has run. After every move the shadow
        // must show what the guest shows, and nothing may be left for a refresh to repair.
        const int Line = 16;
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        var bottom = new PixelRect(0, Height - Line, Width, Line);
        for (int step = 0; step < 4; step++)
        {
            surface.Blit(new PixelRect(0, Line, Width, Height - Line), 0, 0);
            console.CopyRect(0, Line, 0, 0, Width, Height - Line);
            Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));

            for (int x = step; x < Width; x += 3)
            {
                surface.Touch(x, Height - 1 - step);
            }

            console.Invalidate(bottom);
        }

        long[] before = ReferencePixels.TileGenerations(console);
        Assert.True(console.Refresh()); // the last bottom line
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
        long[] after = ReferencePixels.TileGenerations(console);
        for (int i = 0; i < after.Length; i++)
        {
            // Only the bottom tile row holds the new line.
            Assert.Equal(i >= 8 ? before.Max() + 1 : before[i], after[i]);
        }

        Assert.False(console.Refresh());
    }

    [Fact]
    public void CopyRect_ScrollWithDrawingInOverlapBeforeTheBlit_DrawingTravelsAndEndsRight()
    {
        // The guest draws in the part of the source that the destination overlaps, then scrolls.
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        surface.SetWord(30, 60, 0x00123456u);
        console.Invalidate(30, 60, 1, 1);
        surface.Blit(new PixelRect(0, 20, Width, Height - 20), 0, 0);
        console.CopyRect(0, 20, 0, 0, Width, Height - 20);

        // Until the next refresh the moved pixel is owed at its new place, (30, 40).
        Assert.True(console.Refresh());
        uint[] shadow = ReferencePixels.Shadow(console);
        Assert.Equal(0x00123456u, shadow[40 * Width + 30]);
        Assert.Equal(surface.Expected(), shadow);
    }

    [Fact]
    public void CopyRect_DrawingInSourceReportedBeforeTheCopy_EndsRightAfterRefresh()
    {
        // The guest blits, then draws in the source (outside the destination) and invalidates
        // before it reports the blit: the bridge cannot tell the order, so both places are checked.
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        surface.Blit(new PixelRect(0, 0, 50, 50), 100, 100);
        surface.SetWord(10, 10, 0x00654321u);
        console.Invalidate(10, 10, 1, 1);
        console.CopyRect(0, 0, 100, 100, 50, 50);

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

    [Fact]
    public void CopyRect_ManyMoves_KeepsOnlyTheMostRecent()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        int count = DisplayConsole.MaxRecentCopies + 5;
        for (int i = 0; i < count; i++)
        {
            surface.Blit(new PixelRect(i, 0, 10, 10), i + 1, 0);
            console.CopyRect(i, 0, i + 1, 0, 10, 10);
        }

        using ShadowReadScope scope = console.ReadShadow();
        Assert.Equal(DisplayConsole.MaxRecentCopies, scope.RecentCopies.Count);
        for (int k = 0; k < scope.RecentCopies.Count; k++)
        {
            int i = count - DisplayConsole.MaxRecentCopies + k;
            Assert.Equal(new PixelRect(i, 0, 10, 10), scope.RecentCopies[k].Source);
        }

        Assert.Equal(scope.Tiles.Generation, scope.RecentCopies[^1].Generation);
        Assert.Equal(surface.Expected(), scope.Pixels.ToArray());
    }
}
