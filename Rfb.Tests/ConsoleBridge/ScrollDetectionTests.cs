using ConsoleBridge;
using ConsoleBridge.Damage;

namespace Rfb.Tests.ConsoleBridge;

/// <summary>
/// Scrolls the guest made by redrawing, without reporting a blit: the refresh finds the moved rows,
/// moves its shadow and records the move (so readers send CopyRect), and only the new rows are
/// compared as changed.
/// </summary>
public sealed class ScrollDetectionTests
{
    // 320x240 with 64-pixel tiles: 5 x 4 tiles. Seeded noise makes every row distinct.
    private const int Width = 320, Height = 240;

    [Theory]
    [InlineData(18)]     // a text line up
    [InlineData(-18)]    // a text line down
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(-200)]
    public void Refresh_RedrawnScroll_RecordsOneMoveAndComparesOnlyTheNewRows(int shift)
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);

        ScrollByRedraw(surface, shift, seed: 7);
        console.Invalidate(0, 0, Width, Height);
        Assert.True(console.Refresh());

        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
        int moved = Height - Math.Abs(shift);
        var source = new PixelRect(0, Math.Max(0, shift), Width, moved);
        var destination = new PixelRect(0, Math.Max(0, -shift), Width, moved);
        ConsoleCopy copy = Assert.Single(Copies(console));
        Assert.Equal((source, destination), (copy.Source, copy.Destination));
        Assert.True(copy.Generation > before);

        // Tiles wholly inside the moved rows were stamped by the move alone: the comparison after
        // it found nothing to change there. Tiles over the new rows were compared and stamped later.
        var newRows = shift > 0 ? new PixelRect(0, Height - shift, Width, shift) : new PixelRect(0, 0, Width, -shift);
        long[] generations = ReferencePixels.TileGenerations(console);
        for (int row = 0; row < 4; row++)
        {
            for (int column = 0; column < 5; column++)
            {
                var tile = new PixelRect(column * 64, row * 64, 64, 64).Intersect(new PixelRect(0, 0, Width, Height));
                long generation = generations[row * 5 + column];
                if (tile.IntersectsWith(newRows))
                {
                    Assert.True(generation > copy.Generation, $"tile {tile} holds new rows");
                }
                else
                {
                    Assert.Equal(copy.Generation, generation);
                }
            }
        }

        Assert.Equal((1L, 1L), console.ScrollStatistics);
    }

    [Fact]
    public void Refresh_ScrollUnderAStillPointer_MovesTheRowsAndColumnsAroundIt()
    {
        // The guest scrolls its text up by 18 rows while a pointer drawn into the pixels stays at
        // (50..57, 100..107): the rows it covers now, and those that showed it before (82..89,
        // where the text that was under it arrives), do not match whole. Rows 0..81 and 108..221
        // move whole; rows 82..107 move right of the pointer's columns (left of it is only 50
        // pixels, under the least part width, and stays pixels).
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        ScrollTextUnderPointer(console, surface, 18);

        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
        ConsoleCopy[] copies = Copies(console);
        Assert.Equal(
            [
                (new PixelRect(0, 18, Width, 82), new PixelRect(0, 0, Width, 82)),
                (new PixelRect(58, 100, Width - 58, 26), new PixelRect(58, 82, Width - 58, 26)),
                (new PixelRect(0, 126, Width, 114), new PixelRect(0, 108, Width, 114)),
            ],
            copies.Select(c => (c.Source, c.Destination)).ToArray());
    }

    [Fact]
    public void Refresh_ScrollDownUnderAStillPointer_MovesBottomUp()
    {
        // The same pointer, text scrolled down by 18: moves read rows above their destinations,
        // so they are applied from the bottom, and the shadow still ends equal to the guest.
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        ScrollTextUnderPointer(console, surface, -18);

        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
        ConsoleCopy[] copies = Copies(console);
        Assert.Equal(3, copies.Length);
        Assert.True(copies[0].Destination.Y > copies[1].Destination.Y && copies[1].Destination.Y > copies[2].Destination.Y, string.Join(", ", copies));
        Assert.All(copies, c => Assert.Equal(c.Destination.Y - 18, c.Source.Y));
    }

    [Fact]
    public void Refresh_NewContentEverywhere_RecordsNoMove()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);

        new Random(5).NextBytes(surface.Memory);
        console.Invalidate(0, 0, Width, Height);
        Assert.True(console.Refresh());

        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
        Assert.Empty(Copies(console));
        Assert.Equal((1L, 0L), console.ScrollStatistics);
    }

    [Fact]
    public void Refresh_DetectScrollsOff_ComparesWithoutSearching()
    {
        var surface = new TestSurface(Width, Height);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false, DetectScrolls = false });
        console.SwitchSurface(surface.Surface);

        ScrollByRedraw(surface, 18, seed: 7);
        console.Invalidate(0, 0, Width, Height);
        Assert.True(console.Refresh());

        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
        Assert.Empty(Copies(console));
        Assert.Equal((0L, 0L), console.ScrollStatistics);
    }

    [Fact]
    public void Refresh_AfterMisses_SkipsLargeAreasForAWhileAndSearchesAgainAfterAHit()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        int seed = 100;
        void NewFrame()
        {
            new Random(seed++).NextBytes(surface.Memory);
            console.Invalidate(0, 0, Width, Height);
            Assert.True(console.Refresh());
        }

        NewFrame();                                  // searched, missed: the next area is skipped
        Assert.Equal((1L, 0L), console.ScrollStatistics);
        NewFrame();
        Assert.Equal((1L, 0L), console.ScrollStatistics);
        NewFrame();                                  // searched, missed again: three are skipped
        Assert.Equal((2L, 0L), console.ScrollStatistics);
        for (int i = 0; i < 3; i++)
        {
            NewFrame();
        }

        Assert.Equal((2L, 0L), console.ScrollStatistics);

        // A scroll now is found, and a hit ends the back-off: the next scroll is searched at once.
        ScrollByRedraw(surface, 18, seed: 7);
        console.Invalidate(0, 0, Width, Height);
        Assert.True(console.Refresh());
        ScrollByRedraw(surface, 36, seed: 8);
        console.Invalidate(0, 0, Width, Height);
        Assert.True(console.Refresh());
        Assert.Equal((4L, 2L), console.ScrollStatistics);
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public void Refresh_SmallOrSparseDamage_IsNotSearched()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);

        // 320x100: under the least area. Two far corners: their bounding box is large but holds
        // under a quarter of damage.
        ScrollByRedraw(surface, 18, seed: 7);
        console.Invalidate(0, 0, Width, 100);
        Assert.True(console.Refresh());
        console.Invalidate(0, 100, 8, 8);
        console.Invalidate(312, 232, 8, 8);
        Assert.True(console.Refresh());

        Assert.Equal((0L, 0L), console.ScrollStatistics);
        Assert.Empty(Copies(console));
    }

    [Fact]
    public void Refresh_FrameWithAReportedBlit_IsNotSearched()
    {
        var surface = new TestSurface(Width, Height);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);

        // The emulator reports its blits: the frame's redraw is not second-guessed.
        surface.Blit(new PixelRect(0, 0, 10, 10), 100, 100);
        console.CopyRect(0, 0, 100, 100, 10, 10);
        ScrollByRedraw(surface, 18, seed: 7);
        console.Invalidate(0, 0, Width, Height);
        Assert.True(console.Refresh());

        Assert.Equal((0L, 0L), console.ScrollStatistics);
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public void Refresh_Rgb565Surface_IsNotSearched()
    {
        var surface = new TestSurface(Width, Height, DrmFourcc.Rgb565);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);

        ScrollByRedraw(surface, 18, seed: 7);
        console.Invalidate(0, 0, Width, Height);
        Assert.True(console.Refresh());

        Assert.Equal((0L, 0L), console.ScrollStatistics);
        Assert.Empty(Copies(console));
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public void RowHash_TopByteIgnored_ColourCounts()
    {
        var row = new uint[333];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
        uint[] topByteChanged = row.Select(p => p ^ 0xFF00_0000u).ToArray();
        Assert.Equal(ScrollDetector.RowHash(row), ScrollDetector.RowHash(topByteChanged));

        // Every pixel counts, in the vector part and in the tail.
        foreach (int at in new[] { 0, 7, 31, 32, 200, 320, 332 })
        {
            uint[] changed = (uint[])row.Clone();
            changed[at] ^= 0x0000_0100u;
            Assert.NotEqual(ScrollDetector.RowHash(row), ScrollDetector.RowHash(changed));
        }
    }

    /// <summary>Moves the guest's rows by <paramref name="shift"/> (positive: up) and fills the rows it uncovers with new noise.</summary>
    private static void ScrollByRedraw(TestSurface surface, int shift, int seed)
    {
        int moved = surface.Height - Math.Abs(shift);
        int stride = surface.Stride;
        if (shift > 0)
        {
            ReferencePixels.Blit(surface.Memory, stride, surface.BytesPerPixel, new PixelRect(0, shift, surface.Width, moved), 0, 0);
            new Random(seed).NextBytes(surface.Memory.AsSpan(moved * stride));
        }
        else
        {
            ReferencePixels.Blit(surface.Memory, stride, surface.BytesPerPixel, new PixelRect(0, 0, surface.Width, moved), 0, -shift);
            new Random(seed).NextBytes(surface.Memory.AsSpan(0, -shift * stride));
        }
    }

    /// <summary>
    /// Shows <paramref name="frame"/> (text with the pointer on top) on <paramref name="console"/>,
    /// then scrolls the text by <paramref name="shift"/> rows (positive: up) under the still pointer
    /// and refreshes.
    /// </summary>
    private static void ScrollTextUnderPointer(DisplayConsole console, TestSurface frame, int shift)
    {
        var text = new TestSurface(Width, Height, seed: 3);
        DrawPointer(text, frame);
        console.SwitchSurface(frame.Surface);

        ScrollByRedraw(text, shift, seed: 11);
        DrawPointer(text, frame);
        console.Invalidate(0, 0, Width, Height);
        Assert.True(console.Refresh());
    }

    /// <summary>The guest's frame: <paramref name="text"/> with an 8x8 white pointer at (50, 100) on top.</summary>
    private static void DrawPointer(TestSurface text, TestSurface frame)
    {
        text.Memory.CopyTo(frame.Memory.AsSpan());
        for (int y = 100; y < 108; y++)
        {
            for (int x = 50; x < 58; x++)
            {
                frame.SetWord(x, y, 0x00FF_FFFFu);
            }
        }
    }

    private static ConsoleCopy[] Copies(DisplayConsole console)
    {
        using ShadowReadScope scope = console.ReadShadow();
        return console.CopiesUnsynchronized.ToArray();
    }
}
