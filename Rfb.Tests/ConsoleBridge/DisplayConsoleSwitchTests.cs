using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

public sealed class DisplayConsoleSwitchTests
{
    [Fact]
    public void Constructor_NoSurface_ShowsBlackPlaceholderOfInitialSize()
    {
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false, InitialWidth = 100, InitialHeight = 70 });
        using ShadowReadScope scope = console.ReadShadow();
        Assert.Equal((100, 70), (scope.Width, scope.Height));
        Assert.Equal(100 * 70, scope.Pixels.Length);
        Assert.DoesNotContain(scope.Pixels.ToArray(), p => p != 0);
        Assert.Equal((2, 2), (scope.Tiles.Columns, scope.Tiles.Rows));
        Assert.True(scope.Tiles.Generation > 0);
        var dirty = new bool[4];
        scope.Tiles.AccumulateChangedSince(0, dirty);
        Assert.Equal([true, true, true, true], dirty);
    }

    [Fact]
    public void SwitchSurface_NewSize_NewGridEveryTileNewerAndEventsRaised()
    {
        using DisplayConsole console = TestSurface.ManualConsole();
        long before = ReferencePixels.Generation(console);
        long serialBefore;
        using (ShadowReadScope scope = console.ReadShadow())
        {
            serialBefore = scope.SurfaceSerial;
        }

        var events = new List<string>();
        console.SurfaceChanged += (_, _) => events.Add("SurfaceChanged");
        console.Updated += (_, _) => events.Add("Updated");
        var surface = new TestSurface(200, 150);

        console.SwitchSurface(surface.Surface);

        Assert.Equal(["SurfaceChanged", "Updated"], events);
        Assert.Same(surface.Surface, console.Surface);
        Assert.Equal((200, 150), (console.Width, console.Height));
        using (ShadowReadScope scope = console.ReadShadow())
        {
            Assert.Equal((200, 150, 4, 3), (scope.Width, scope.Height, scope.Tiles.Columns, scope.Tiles.Rows));
            Assert.Equal(serialBefore + 1, scope.SurfaceSerial);
            Assert.True(scope.Tiles.Generation > before);
            var dirty = new bool[scope.Tiles.TileCount];
            scope.Tiles.AccumulateChangedSince(before, dirty);
            Assert.DoesNotContain(false, dirty);
            Assert.Equal(surface.Expected(), scope.Pixels.ToArray());
        }
    }

    [Fact]
    public void SwitchSurface_Repeatedly_GenerationsKeepIncreasing()
    {
        using DisplayConsole console = TestSurface.ManualConsole();
        long previous = ReferencePixels.Generation(console);
        var sizes = new (int W, int H)[] { (200, 150), (200, 150), (64, 64), (1, 1), (300, 20), (200, 150) };
        foreach ((int w, int h) in sizes)
        {
            var surface = new TestSurface(w, h, seed: w * h);
            console.SwitchSurface(surface.Surface);
            long[] tiles = ReferencePixels.TileGenerations(console);
            long generation = ReferencePixels.Generation(console);
            Assert.True(generation > previous, $"generation {generation} after switching to {w}x{h} is not above {previous}");
            Assert.All(tiles, g => Assert.Equal(generation, g));
            Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));

            // A change after the switch continues from there.
            surface.Touch(w - 1, h - 1);
            console.Invalidate(0, 0, w, h);
            Assert.True(console.Refresh());
            Assert.Equal(generation + 1, ReferencePixels.Generation(console));
            previous = generation + 1;
        }
    }

    [Fact]
    public void SwitchSurface_PendingDamageOfOldSurface_IsDropped()
    {
        var first = new TestSurface(200, 150, seed: 1);
        var second = new TestSurface(100, 50, seed: 2);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(first.Surface);
        first.Touch(150, 100);
        console.Invalidate(0, 0, 200, 150);
        console.SwitchSurface(second.Surface);
        long generation = ReferencePixels.Generation(console);

        Assert.False(console.Refresh());
        Assert.Equal(generation, ReferencePixels.Generation(console));
        Assert.Equal(second.Expected(), ReferencePixels.Shadow(console));
    }

    [Fact]
    public void SwitchSurface_SameSizeOtherFormat_ReadsTheNewFormat()
    {
        var xrgb = new TestSurface(70, 70, DrmFourcc.Xrgb8888, seed: 5);
        var rgb565 = new TestSurface(70, 70, DrmFourcc.Rgb565, seed: 6);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(xrgb.Surface);
        long before = ReferencePixels.Generation(console);
        console.SwitchSurface(rgb565.Surface);
        Assert.Equal(rgb565.Expected(), ReferencePixels.Shadow(console));
        Assert.All(ReferencePixels.TileGenerations(console), g => Assert.Equal(before + 1, g));
    }

    [Fact]
    public void SwitchSurface_RecentCopies_AreForgotten()
    {
        var surface = new TestSurface(200, 150);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        surface.Blit(new PixelRect(0, 0, 10, 10), 100, 100);
        console.CopyRect(0, 0, 100, 100, 10, 10);
        using (ShadowReadScope scope = console.ReadShadow())
        {
            Assert.Single(scope.RecentCopies);
        }

        console.SwitchSurface(surface.Surface);
        using (ShadowReadScope scope = console.ReadShadow())
        {
            Assert.Empty(scope.RecentCopies);
        }
    }
}
