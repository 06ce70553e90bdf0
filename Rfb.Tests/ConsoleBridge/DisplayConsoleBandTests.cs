using ConsoleBridge;

namespace Rfb.Tests.ConsoleBridge;

/// <summary>
/// A large guest-memory refresh is compared and copied into the shadow in parallel bands of tile
/// rows: the shadow, the changed tiles and the damage boxes noted in them must be exactly those
/// of a refresh on one thread.
/// </summary>
public sealed class DisplayConsoleBandTests
{
    // 640x480: 307,200 pixels, 8 tile rows; the band test lowers the guest threshold below that.
    private const int Width = 640, Height = 480;

    [Theory]
    [InlineData(DrmFourcc.Xrgb8888)] // compared masked, straight from guest memory
    [InlineData(DrmFourcc.Rgb565)]   // converted row by row first
    public void Refresh_LargeRectangle_BandsGiveTheShadowAndDamageOfOneThread(DrmFourcc format)
    {
        var bandsSurface = new TestSurface(Width, Height, format, padding: 12, seed: 7);
        var serialSurface = new TestSurface(Width, Height, format, padding: 12, seed: 7);
        using DisplayConsole bands = TestSurface.ManualConsole();
        using DisplayConsole serial = TestSurface.ManualConsole();
        bands.RowWorkers = 4;
        bands.GuestBandsMinPixels = DisplayConsole.ParallelRowsMinPixels;
        serial.RowWorkers = 1;
        bands.SwitchSurface(bandsSurface.Surface);
        serial.SwitchSurface(serialSurface.Surface);
        long before = ReferencePixels.Generation(bands);
        Assert.Equal(before, ReferencePixels.Generation(serial));
        long appliesBefore = bands.ParallelBandApplies;

        // Scattered single pixels in most tiles, and a block across a tile-row boundary.
        var random = new Random(11);
        for (int k = 0; k < 300; k++)
        {
            int x = random.Next(Width), y = random.Next(Height);
            foreach (TestSurface s in new[] { bandsSurface, serialSurface })
            {
                s.Memory[(y * s.Stride) + (x * s.BytesPerPixel)] ^= 0x5A;
            }
        }

        for (int y = 120; y < 140; y++)
        {
            for (int x = 300; x < 420; x++)
            {
                foreach (TestSurface s in new[] { bandsSurface, serialSurface })
                {
                    s.Memory[(y * s.Stride) + (x * s.BytesPerPixel) + 1] ^= 0x33;
                }
            }
        }

        bands.Invalidate(0, 0, Width, Height);
        serial.Invalidate(0, 0, Width, Height);
        Assert.True(bands.Refresh());
        Assert.True(serial.Refresh());

        Assert.True(bands.ParallelBandApplies > appliesBefore, "the refresh went through the parallel bands");
        Assert.Equal(0, serial.ParallelBandApplies);
        Assert.Equal(bandsSurface.Expected(), ReferencePixels.Shadow(bands));
        Assert.Equal(serialSurface.Expected(), ReferencePixels.Shadow(serial));
        Assert.Equal(ReferencePixels.TileGenerations(serial), ReferencePixels.TileGenerations(bands));
        PixelRect[] serialOwed = Owed(serial, before);
        Assert.Equal(serialOwed, Owed(bands, before));
        Assert.True(serialOwed.Count(b => !b.IsEmpty) > 40, "most tiles changed");
    }

    [Theory]
    [InlineData(1280, 720, false)]  // a 720p head: one thread, however many workers
    [InlineData(3840, 2160, true)]  // from 3840x2160 on: bands
    public void Refresh_DefaultThreshold_BandsOnlyFromA4kFrame(int width, int height, bool expectBands)
    {
        var surface = new TestSurface(width, height, DrmFourcc.Xrgb8888, padding: 0, seed: 3);
        using DisplayConsole console = TestSurface.ManualConsole();
        console.RowWorkers = 4;
        console.SwitchSurface(surface.Surface);
        console.Refresh();
        long before = console.ParallelBandApplies;

        surface.Memory[(5 * surface.Stride) + (7 * surface.BytesPerPixel)] ^= 0x5A;
        surface.Memory[((height - 3) * surface.Stride) + ((width - 9) * surface.BytesPerPixel)] ^= 0x5A;
        console.Invalidate(0, 0, width, height);
        Assert.True(console.Refresh());

        Assert.Equal(expectBands, console.ParallelBandApplies > before);
        Assert.Equal(surface.Expected(), ReferencePixels.Shadow(console));
    }

    private static PixelRect[] Owed(DisplayConsole console, long since)
    {
        using ShadowReadScope scope = console.ReadShadow();
        var owed = new PixelRect[scope.Tiles.TileCount];
        scope.Tiles.AccumulateChangesSince(since, owed);
        return owed;
    }
}
