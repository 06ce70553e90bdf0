using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

/// <summary>
/// XRGB guest memory is compared with the shadow per tile segment from both ends, and the span
/// between the first and the last difference copied whole: the shadow, the changed tiles and
/// the damage boxes must be exactly those of comparing every pixel
/// (<c>DisplayConsole.CompareEveryPixel</c>), whatever the pattern of differences.
/// </summary>
public sealed class DisplayConsoleMaskedCompareTests
{
    // Not a multiple of the tile size or of eight pixels, so segments end in partial vectors.
    private const int Width = 333, Height = 150;

    [Fact]
    public void Refresh_AnyPatternOfDifferences_SameShadowAndDamageAsComparingEveryPixel()
    {
        var endsSurface = new TestSurface(Width, Height, DrmFourcc.Xrgb8888, padding: 12, seed: 3);
        var everySurface = new TestSurface(Width, Height, DrmFourcc.Xrgb8888, padding: 12, seed: 3);
        using DisplayConsole ends = TestSurface.ManualConsole();
        using DisplayConsole every = TestSurface.ManualConsole();
        every.CompareEveryPixel = true;
        ends.RowWorkers = 1;
        every.RowWorkers = 1;
        ends.SwitchSurface(endsSurface.Surface);
        every.SwitchSurface(everySurface.Surface);
        var random = new Random(5);
        for (int frame = 0; frame < 40; frame++)
        {
            long before = ReferencePixels.Generation(ends);
            Assert.Equal(before, ReferencePixels.Generation(every));

            // Single pixels, short runs (some only in the unused top byte) and whole rows.
            int changes = random.Next(1, 60);
            for (int k = 0; k < changes; k++)
            {
                int y = random.Next(Height);
                int x = random.Next(Width);
                int length = random.Next(4) switch { 0 => 1, 1 => random.Next(2, 20), 2 => random.Next(20, 130), _ => Width - x };
                int channel = random.Next(4); // 3: the top byte, which is not colour
                byte flip = (byte)random.Next(1, 256);
                for (int i = x; i < Math.Min(Width, x + length); i++)
                {
                    foreach (TestSurface s in new[] { endsSurface, everySurface })
                    {
                        s.Memory[(y * s.Stride) + (i * s.BytesPerPixel) + channel] ^= flip;
                    }
                }
            }

            int rx = random.Next(Width - 1), ry = random.Next(Height - 1);
            int rw = random.Next(1, Width - rx + 1), rh = random.Next(1, Height - ry + 1);
            if (frame % 3 == 0)
            {
                (rx, ry, rw, rh) = (0, 0, Width, Height);
            }

            ends.Invalidate(rx, ry, rw, rh);
            every.Invalidate(rx, ry, rw, rh);
            Assert.Equal(every.Refresh(), ends.Refresh());

            // Only the invalidated area is compared, so the shadows differ from the memory
            // outside it in the same way.
            Assert.Equal(ReferencePixels.Shadow(every), ReferencePixels.Shadow(ends));
            Assert.Equal(ReferencePixels.TileGenerations(every), ReferencePixels.TileGenerations(ends));
            Assert.Equal(Owed(every, before), Owed(ends, before));
        }

        // Everything invalidated at the end: both shadows hold the memory's colours.
        ends.Invalidate(0, 0, Width, Height);
        ends.Refresh();
        Assert.Equal(endsSurface.Expected(), ReferencePixels.Shadow(ends));
    }

    [Fact]
    public void Refresh_OnlyTheTopByteChanged_NothingChanges()
    {
        var surface = new TestSurface(Width, Height, DrmFourcc.Xrgb8888, padding: 0, seed: 9);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.SwitchSurface(surface.Surface);
        long before = ReferencePixels.Generation(console);
        for (int i = 3; i < surface.Memory.Length; i += 4)
        {
            surface.Memory[i] ^= 0xFF;
        }

        console.Invalidate(0, 0, Width, Height);
        Assert.False(console.Refresh());
        Assert.Equal(before, ReferencePixels.Generation(console));
    }

    private static PixelRect[] Owed(DisplayConsole console, long since)
    {
        using ShadowReadScope scope = console.ReadShadow();
        var owed = new PixelRect[scope.Tiles.TileCount];
        scope.Tiles.AccumulateChangesSince(since, owed);
        return owed;
    }
}
