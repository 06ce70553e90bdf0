using System.Diagnostics;
using System.Net;
using ConsoleBridge;
using ConsoleBridge.Gl;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Gl;

/// <summary>
/// GL scanouts on Mesa (llvmpipe, EGL surfaceless): a producer context renders known pictures into
/// a texture, shares it as an EGLImage, and the bridge reads it back into the console's shadow.
/// Expected pictures are the ones the test uploads or the rectangles it clears, so they come from
/// the test, not from the code under test.
/// </summary>
public sealed class GlScanoutTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ScanoutTexture_UploadedPicture_ShadowEqualsPicture(bool y0Top)
    {
        using GlBridge bridge = GlTestBridge.Create();
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        producer.CreateTarget(200, 130);
        ImageRgb picture = GlTestBridge.Pattern(200, 130, 1);
        producer.Upload(picture.Pixels, y0Top);

        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 200, BackingHeight = 130, Y0Top = y0Top });

        await GlTestBridge.WaitForShadowAsync(console, picture, $"y0Top={y0Top}");
        Assert.Equal(200, console.Width);
        Assert.Equal(130, console.Height);
    }

    [Fact]
    public async Task ScanoutTexture_SubRectangleOfBacking_ShowsOnlyThatPart()
    {
        using GlBridge bridge = GlTestBridge.Create();
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        producer.CreateTarget(160, 120);
        ImageRgb picture = GlTestBridge.Pattern(160, 120, 2);
        producer.Upload(picture.Pixels, y0Top: false);

        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 160, BackingHeight = 120, X = 10, Y = 20, Width = 100, Height = 70 });

        await GlTestBridge.WaitForShadowAsync(console, picture.Crop(10, 20, 100, 70), "the shown part");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GlUpdate_PartialDamage_ReadsOnlyTheDamagedRectangle(bool y0Top)
    {
        using GlBridge bridge = GlTestBridge.Create();
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        producer.CreateTarget(256, 192);
        ImageRgb picture = GlTestBridge.Pattern(256, 192, 3);
        producer.Upload(picture.Pixels, y0Top);
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 256, BackingHeight = 192, Y0Top = y0Top });
        await GlTestBridge.WaitForShadowAsync(console, picture, "first frame");
        long generation;
        using (console.ReadShadow())
        {
            generation = console.TilesUnsynchronized.Generation;
        }

        // Two rectangles change in the texture, but only the first is reported: only it may show.
        producer.Fill(70, 10, 50, 30, 0x00FF8800, y0Top);
        producer.Fill(0, 150, 256, 20, 0x00123456, y0Top);
        producer.Finish();
        ImageRgb expected = ImageRgb.Create(256, 192, (x, y) => x is >= 70 and < 120 && y is >= 10 and < 40 ? 0x00FF8800u : picture[x, y]);
        console.GlUpdate(70, 10, 50, 30);
        await GlTestBridge.WaitForShadowAsync(console, expected, "after a partial update");

        // Only the tiles under the reported rectangle changed (64x64 tiles: columns 1 and 2 of row 0).
        using (console.ReadShadow())
        {
            var tiles = console.TilesUnsynchronized;
            for (int t = 0; t < tiles.TileCount; t++)
            {
                bool expectedChanged = t is 1;
                Assert.True(expectedChanged == tiles.TileGeneration(t) > generation, $"tile {t}");
            }
        }

        // Reporting the second one brings it in too, with a fence the bridge waits for on the GPU.
        producer.Fill(0, 150, 256, 20, 0x00123456, y0Top);
        console.GlUpdate(0, 150, 256, 20, producer.Fence());
        ImageRgb both = ImageRgb.Create(256, 192, (x, y) => y is >= 150 and < 170 ? 0x00123456u : expected[x, y]);
        await GlTestBridge.WaitForShadowAsync(console, both, "after the second update");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GlUpdate_LargeRectangle_ParallelBandsLandExactlyAndStampOnlyChangedTiles(bool y0Top)
    {
        using GlBridge bridge = GlTestBridge.Create();
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        console.RowWorkers = 4; // parallel bands whatever the machine's core count
        producer.CreateTarget(1024, 768);
        ImageRgb picture = GlTestBridge.Pattern(1024, 768, 7);
        producer.Upload(picture.Pixels, y0Top);

        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 1024, BackingHeight = 768, Y0Top = y0Top });

        await GlTestBridge.WaitForShadowAsync(console, picture, "the whole 1024x768 frame");
        Assert.True(console.ParallelBandApplies >= 1, "the whole frame went through the parallel bands");
        long generation;
        using (console.ReadShadow())
        {
            generation = console.TilesUnsynchronized.Generation;
        }

        // A 640x320 damage report (above the parallel threshold, tile rows 1..5) in which only a
        // 300x200 box changed: the box lands, and only the tiles under it are stamped.
        long parallelBefore = console.ParallelBandApplies;
        producer.Fill(100, 130, 300, 200, 0x0033CC99, y0Top);
        producer.Finish();
        ImageRgb expected = ImageRgb.Create(1024, 768, (x, y) => x is >= 100 and < 400 && y is >= 130 and < 330 ? 0x0033CC99u : picture[x, y]);
        console.GlUpdate(64, 64, 640, 320);
        await GlTestBridge.WaitForShadowAsync(console, expected, "after the partial update");
        Assert.True(console.ParallelBandApplies > parallelBefore, "the partial update went through the parallel bands");

        // 64x64 tiles, 16 columns: the box covers columns 1..6 (x 100..399) of rows 2..5 (y 130..329).
        using (console.ReadShadow())
        {
            var tiles = console.TilesUnsynchronized;
            Assert.Equal(16 * 12, tiles.TileCount);
            long stamped = -1;
            for (int t = 0; t < tiles.TileCount; t++)
            {
                int column = t % 16, tileRow = t / 16;
                bool expectedChanged = column is >= 1 and <= 6 && tileRow is >= 2 and <= 5;
                long tileGeneration = tiles.TileGeneration(t);
                Assert.True(expectedChanged == tileGeneration > generation, $"tile {t} (column {column}, row {tileRow})");
                if (expectedChanged)
                {
                    // One generation for the whole rectangle, whichever band found the change.
                    Assert.True(stamped == -1 || stamped == tileGeneration, $"tile {t} has generation {tileGeneration}, others {stamped}");
                    stamped = tileGeneration;
                }
            }
        }
    }

    [Fact]
    public async Task GvncCapture_GlScanout_PixelExact()
    {
        using GlBridge bridge = GlTestBridge.Create();
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole();
        console.Gl = bridge;
        producer.CreateTarget(317, 203);
        ImageRgb picture = GlTestBridge.Pattern(317, 203, 4);
        producer.Upload(picture.Pixels, y0Top: false);
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 317, BackingHeight = 203 });
        await GlTestBridge.WaitForShadowAsync(console, picture, "shadow");

        int port = VncPorts.FindFreePort();
        var options = new RfbServerOptions { DesktopName = "gl" };
        options.Endpoints.Clear();
        options.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, port));
        var server = new RfbServer(console, options);
        await server.StartAsync().WaitAsync(Timeout);
        try
        {
            ImageAssert.Equal(picture, await GvncCapture.CaptureAsync(port, Timeout), "gvnccapture of a GL head");
        }
        finally
        {
            await server.StopAsync().WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task PboRing_ConsumerBlockedByReader_GlThreadKeepsGoingAndLatestFrameWins()
    {
        using GlBridge bridge = GlTestBridge.Create(new GlBridgeOptions { RingDepth = 2 });
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        producer.CreateTarget(128, 96);
        producer.Upload(ImageRgb.Solid(128, 96, 0).Pixels, y0Top: false);
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 128, BackingHeight = 96 });
        await GlTestBridge.WaitForShadowAsync(console, ImageRgb.Solid(128, 96, 0), "first frame");

        // A reader holds the shadow on its own thread, so the consumer cannot copy; more frames
        // than the ring holds are produced and reported meanwhile, and every call returns at once.
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            using (console.ReadShadow())
            {
                held.Set();
                release.Wait(Timeout);
            }
        });
        reader.Start();
        Assert.True(held.Wait(Timeout));
        uint last = 0;
        var updateCalls = new Stopwatch();
        for (int frame = 1; frame <= 20; frame++)
        {
            last = (uint)(frame * 0x0A0B0C);
            producer.Fill(0, 0, 128, 96, last, y0Top: false);
            producer.Finish();
            updateCalls.Start();
            console.GlUpdate(0, 0, 128, 96);
            updateCalls.Stop();
            Thread.Sleep(5);
        }

        release.Set();
        reader.Join(Timeout);
        Assert.True(updateCalls.Elapsed < TimeSpan.FromSeconds(1), $"20 GlUpdate calls took {updateCalls.Elapsed}");
        await GlTestBridge.WaitForShadowAsync(console, ImageRgb.Solid(128, 96, last), "the latest frame after the reader let go");
    }

    [Fact]
    public async Task ScanoutTexture_UnreadableTexture_ReportsFailureKeepsFrameAndNextScanoutRecovers()
    {
        using GlBridge bridge = GlTestBridge.Create();
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        producer.CreateTarget(96, 64);
        ImageRgb picture = GlTestBridge.Pattern(96, 64, 5);
        producer.Upload(picture.Pixels, y0Top: false);
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 96, BackingHeight = 64 });
        await GlTestBridge.WaitForShadowAsync(console, picture, "first frame");

        var failed = new TaskCompletionSource<GlException>(TaskCreationOptions.RunContinuationsAsynchronously);
        console.ScanoutFailed += (_, e) => failed.TrySetResult(e.Error);
        // A shared-exponent texture is not colour-renderable, so it cannot be read through a framebuffer.
        producer.CreateTarget(50, 40, Silk.NET.OpenGL.SizedInternalFormat.Rgb9E5);
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 50, BackingHeight = 40 });
        GlException error = await failed.Task.WaitAsync(Timeout);
        Assert.Contains("cannot be read through a framebuffer", error.Message);
        await Task.Delay(100);
        ImageAssert.Equal(picture, GlTestBridge.Snapshot(console), "the last good frame stays");

        // The next scanout works.
        producer.CreateTarget(80, 48);
        ImageRgb next = GlTestBridge.Pattern(80, 48, 6);
        producer.Upload(next.Pixels, y0Top: false);
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 80, BackingHeight = 48 });
        await GlTestBridge.WaitForShadowAsync(console, next, "after recovery");
    }

    [Fact]
    public async Task ContextLoss_ReportsFailureKeepsFrameAndNextScanoutRecovers()
    {
        using GlBridge bridge = GlTestBridge.Create();
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        producer.CreateTarget(64, 64);
        ImageRgb picture = GlTestBridge.Pattern(64, 64, 7);
        producer.Upload(picture.Pixels, y0Top: false);
        var scanout = new TextureScanout { EglImage = producer.Image, BackingWidth = 64, BackingHeight = 64 };
        console.ScanoutTexture(scanout);
        await GlTestBridge.WaitForShadowAsync(console, picture, "first frame");

        var failed = new TaskCompletionSource<GlException>(TaskCreationOptions.RunContinuationsAsynchronously);
        console.ScanoutFailed += (_, e) => failed.TrySetResult(e.Error);
        console.SimulateGlContextLoss();
        GlException error = await failed.Task.WaitAsync(Timeout);
        Assert.Contains("context was lost", error.Message);

        producer.Fill(0, 0, 64, 64, 0x00ABCDEF, y0Top: false);
        producer.Finish();
        console.GlUpdate(0, 0, 64, 64); // no scanout any more: nothing is read
        await Task.Delay(100);
        ImageAssert.Equal(picture, GlTestBridge.Snapshot(console), "the last good frame stays");

        console.ScanoutTexture(scanout);
        await GlTestBridge.WaitForShadowAsync(console, ImageRgb.Solid(64, 64, 0x00ABCDEF), "after a new scanout on the new context");
    }

    [Fact]
    public void ScanoutDmaBuf_WithoutImportSupportOrWithBadFd_ThrowsClearError()
    {
        using GlBridge bridge = GlTestBridge.Create();
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        var scanout = new DmaBufScanout
        {
            Planes = [new DmaBufPlane(Fd: 987654, Offset: 0, Stride: 256)],
            Fourcc = (uint)DrmFourcc.Xrgb8888,
            BackingWidth = 64,
            BackingHeight = 64,
        };
        if (bridge.CanImportDmaBuf)
        {
            var error = Assert.Throws<ArgumentException>(() => console.ScanoutDmaBuf(scanout));
            Assert.Contains("987654 is not an open file descriptor", error.Message);
        }
        else
        {
            // Mesa's surfaceless platform here cannot import dma-bufs; the caller learns so at once.
            var error = Assert.Throws<GlException>(() => console.ScanoutDmaBuf(scanout));
            Assert.Contains("EGL_EXT_image_dma_buf_import", error.Message);
        }
    }

    [Fact]
    public void GlCalls_WithoutBridge_ThrowInvalidOperation()
    {
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        Assert.Throws<InvalidOperationException>(() => console.GlUpdate(0, 0, 1, 1));
        Assert.Throws<InvalidOperationException>(() => console.ScanoutTexture(new TextureScanout { EglImage = 1, BackingWidth = 1, BackingHeight = 1 }));
    }

    [Fact]
    public async Task SwitchSurface_AfterGlScanout_GuestMemoryWinsAndLateRowsAreDropped()
    {
        using GlBridge bridge = GlTestBridge.Create();
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        producer.CreateTarget(64, 48);
        producer.Upload(GlTestBridge.Pattern(64, 48, 8).Pixels, y0Top: false);
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 64, BackingHeight = 48 });
        await GlTestBridge.WaitForShadowAsync(console, GlTestBridge.Pattern(64, 48, 8), "GL frame");

        console.GlUpdate(0, 0, 64, 48);
        byte[] memory = new byte[32 * 16 * 4];
        memory.AsSpan().Fill(0x40);
        console.SwitchSurface(GuestSurface.FromMemory(memory, 32, 16, 32 * 4, DrmFourcc.Xrgb8888));
        await Task.Delay(200);
        ImageAssert.Equal(ImageRgb.Solid(32, 16, 0x00404040), GlTestBridge.Snapshot(console), "guest memory");
    }
}
