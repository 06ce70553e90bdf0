using ConsoleBridge;
using ConsoleBridge.Gl;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Gl;

/// <summary>
/// The readback variants (staged through a GPU buffer, strips, the packed BGRA type) and GPU damage
/// detection, on Mesa's llvmpipe. Expected pictures are the ones the test uploads or the rectangles
/// it clears; expected byte counts are worked out from the tile grid by hand in each comment.
/// </summary>
public sealed class GlReadbackVariantTests
{
    [Theory]
    [InlineData(true, 1, GlReadFormat.Bgra, false)]
    [InlineData(true, 4, GlReadFormat.Bgra, true)]
    [InlineData(false, 3, GlReadFormat.Bgra, false)]
    [InlineData(false, 1, GlReadFormat.BgraInt8888Rev, true)]
    [InlineData(true, 5, GlReadFormat.BgraInt8888Rev, false)]
    [InlineData(true, 2, GlReadFormat.Rgba, true)]
    public async Task Readback_Variant_WholeFrameAndPartialUpdateExact(bool staged, int strips, GlReadFormat format, bool y0Top)
    {
        using GlBridge bridge = GlTestBridge.Create(new GlBridgeOptions { StagedReadback = staged, ReadStrips = strips, ReadFormat = format });
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        producer.CreateTarget(301, 207);
        ImageRgb picture = GlTestBridge.Pattern(301, 207, 11);
        producer.Upload(picture.Pixels, y0Top);

        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 301, BackingHeight = 207, Y0Top = y0Top });
        await GlTestBridge.WaitForShadowAsync(console, picture, $"whole frame, staged={staged} strips={strips} {format} y0Top={y0Top}");

        // 13 rows of damage split into up to 5 strips of 2 or 3 rows each.
        producer.Fill(40, 90, 200, 13, 0x00A0B0C0, y0Top);
        producer.Finish();
        console.GlUpdate(40, 90, 200, 13);
        ImageRgb expected = ImageRgb.Create(301, 207, (x, y) => x is >= 40 and < 240 && y is >= 90 and < 103 ? 0x00A0B0C0u : picture[x, y]);
        await GlTestBridge.WaitForShadowAsync(console, expected, "after a partial update");
    }

    [Fact]
    public void Options_StripsOutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GlBridge(new GlBridgeOptions { ReadStrips = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GlBridge(new GlBridgeOptions { ReadStrips = 17 }));
    }

    [Theory]
    [InlineData(false, false, false, false)]
    [InlineData(true, false, false, false)]
    [InlineData(false, true, false, false)]
    [InlineData(true, false, true, false)]
    [InlineData(false, false, false, true)]
    [InlineData(true, true, false, true)]
    [InlineData(false, true, true, true)]
    public async Task GpuDamageDetection_SomeTilesChange_ShadowExactAndBytesFollowTheTiles(bool y0Top, bool subView, bool staged, bool fragmentShaders)
    {
        using GlBridge bridge = GlTestBridge.Create(new GlBridgeOptions { GpuDamageDetection = true, StagedReadback = staged, FragmentDamageDetection = fragmentShaders });
        Assert.True(bridge.GpuDamageDetection, "llvmpipe has GL 4.5, so compute shaders (and fragment shaders when asked)");
        Assert.Equal(fragmentShaders, bridge.DamageDetectionByFragmentShaders);
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;

        // The head is 500x300: 8 columns of 64-pixel tiles (the last 52 wide) and 5 rows (the last
        // 44 high). With subView it is the part at (30, 20) of a 560x340 backing.
        const int W = 500, H = 300;
        int ox = subView ? 30 : 0, oy = subView ? 20 : 0;
        int backingW = subView ? 560 : W, backingH = subView ? 340 : H;
        producer.CreateTarget(backingW, backingH);
        ImageRgb backing = GlTestBridge.Pattern(backingW, backingH, 21);
        producer.Upload(backing.Pixels, y0Top);
        ImageRgb shown = backing.Crop(ox, oy, W, H);
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = backingW, BackingHeight = backingH, X = ox, Y = oy, Width = W, Height = H, Y0Top = y0Top });
        await GlTestBridge.WaitForShadowAsync(console, shown, "first frame");

        // The first comparison counts every tile as changed: the whole head, 500*300*4 bytes.
        await WaitForBytesAsync(bridge, W * H * 4L);
        Assert.Equal(W * H * 4L, bridge.BytesReadBack);

        // Two boxes change, the whole head is reported. Box one (70..89, 10..19) lies in tile
        // (1, 0): 64x64 pixels. Box two (460..479, 270..289) lies in tile (7, 4), the corner tile,
        // 52x44 pixels. So 64*64*4 + 52*44*4 = 16384 + 9152 = 25536 bytes.
        long before = bridge.BytesReadBack;
        producer.Fill(ox + 70, oy + 10, 20, 10, 0x00FF0000, y0Top);
        producer.Fill(ox + 460, oy + 270, 20, 20, 0x0000FF00, y0Top);
        producer.Finish();
        console.GlUpdate(0, 0, W, H);
        ImageRgb second = ImageRgb.Create(W, H, (x, y) =>
            x is >= 70 and < 90 && y is >= 10 and < 20 ? 0x00FF0000u :
            x is >= 460 and < 480 && y is >= 270 and < 290 ? 0x0000FF00u : shown[x, y]);
        await GlTestBridge.WaitForShadowAsync(console, second, "two boxes");
        await WaitForBytesAsync(bridge, before + 25536);
        Assert.Equal(before + 25536, bridge.BytesReadBack);

        // A box (192..255, 128..191 = exactly tile (3, 2)) reported with the whole head: one
        // 64x64 tile, 16384 bytes. (The update with nothing changed comes last: issued here, the
        // bridge might compare only after the producer drew the box, and find it then.)
        before = bridge.BytesReadBack;
        producer.Fill(ox + 192, oy + 128, 64, 64, 0x000000FF, y0Top);
        producer.Finish();
        console.GlUpdate(0, 0, W, H);
        ImageRgb third = ImageRgb.Create(W, H, (x, y) => x is >= 192 and < 256 && y is >= 128 and < 192 ? 0x000000FFu : second[x, y]);
        await GlTestBridge.WaitForShadowAsync(console, third, "one tile");
        await WaitForBytesAsync(bridge, before + 16384);
        Assert.Equal(before + 16384, bridge.BytesReadBack);

        // Two changes in one tile (4, 1), only one reported (300..309, 70..79): only it shows, and
        // only its 10x10 pixels are read (the tile clipped to the report), 400 bytes. The other
        // (310..319, 100..109) is not taken into the previous frame, so reporting it later finds it.
        before = bridge.BytesReadBack;
        producer.Fill(ox + 300, oy + 70, 10, 10, 0x00FFFF00, y0Top);
        producer.Fill(ox + 310, oy + 100, 10, 10, 0x0000FFFF, y0Top);
        producer.Finish();
        console.GlUpdate(300, 70, 10, 10);
        ImageRgb fourth = ImageRgb.Create(W, H, (x, y) => x is >= 300 and < 310 && y is >= 70 and < 80 ? 0x00FFFF00u : third[x, y]);
        await GlTestBridge.WaitForShadowAsync(console, fourth, "the reported change only");
        await WaitForBytesAsync(bridge, before + 400);
        Assert.Equal(before + 400, bridge.BytesReadBack);

        before = bridge.BytesReadBack;
        console.GlUpdate(256, 64, 64, 64);
        ImageRgb fifth = ImageRgb.Create(W, H, (x, y) => x is >= 310 and < 320 && y is >= 100 and < 110 ? 0x0000FFFFu : fourth[x, y]);
        await GlTestBridge.WaitForShadowAsync(console, fifth, "the change reported later");
        await WaitForBytesAsync(bridge, before + 1);

        // A whole-head update with nothing changed reads nothing.
        before = bridge.BytesReadBack;
        console.GlUpdate(0, 0, W, H);
        await Task.Delay(300);
        Assert.Equal(before, bridge.BytesReadBack);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GpuDamageDetection_NewScanout_ReadsTheWholeHeadAgain(bool fragmentShaders)
    {
        using GlBridge bridge = GlTestBridge.Create(new GlBridgeOptions { GpuDamageDetection = true, FragmentDamageDetection = fragmentShaders });
        using GlProducer producer = new(bridge);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        producer.CreateTarget(128, 128);
        ImageRgb picture = GlTestBridge.Pattern(128, 128, 5);
        producer.Upload(picture.Pixels, y0Top: true);
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 128, BackingHeight = 128, Y0Top = true });
        await GlTestBridge.WaitForShadowAsync(console, picture, "first scanout");
        await WaitForBytesAsync(bridge, 128 * 128 * 4);

        // The same, unchanged texture scanned out again (flipped, so every row differs from the
        // shadow): the previous frame starts afresh, so the whole head is read, 65536 bytes more.
        console.ScanoutTexture(new TextureScanout { EglImage = producer.Image, BackingWidth = 128, BackingHeight = 128, Y0Top = false });
        ImageRgb flipped = ImageRgb.Create(128, 128, (x, y) => picture[x, 127 - y]);
        await GlTestBridge.WaitForShadowAsync(console, flipped, "second scanout");
        await WaitForBytesAsync(bridge, 2 * 128 * 128 * 4);
        Assert.Equal(2 * 128 * 128 * 4L, bridge.BytesReadBack);
    }

    [Fact]
    public async Task Update_FollowedByMoreDrawingInTheQueue_ReadsTheFrameTheUpdateAnnounced()
    {
        // The producer draws through the bridge's GL thread (as the benchmark does): red, an
        // update, then green with no update yet. All three wait in the queue behind a blocker, so
        // the GL thread takes them in one go; the readback must hold red, issued with the update
        // and before the green drawing, not green.
        const int W = 96, H = 64;
        using GlBridge bridge = GlTestBridge.Create();
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.Gl = bridge;
        uint framebuffer = 0;
        console.ScanoutOwnTexture(
            gl =>
            {
                uint texture = gl.GenTexture();
                gl.BindTexture(Silk.NET.OpenGL.TextureTarget.Texture2D, texture);
                gl.TexStorage2D(Silk.NET.OpenGL.TextureTarget.Texture2D, 1, Silk.NET.OpenGL.SizedInternalFormat.Rgba8, W, H);
                gl.BindTexture(Silk.NET.OpenGL.TextureTarget.Texture2D, 0);
                framebuffer = gl.GenFramebuffer();
                gl.BindFramebuffer(Silk.NET.OpenGL.FramebufferTarget.DrawFramebuffer, framebuffer);
                gl.FramebufferTexture2D(Silk.NET.OpenGL.FramebufferTarget.DrawFramebuffer, Silk.NET.OpenGL.FramebufferAttachment.ColorAttachment0, Silk.NET.OpenGL.TextureTarget.Texture2D, texture, 0);
                gl.ClearColor(0, 0, 0, 1);
                gl.Clear(Silk.NET.OpenGL.ClearBufferMask.ColorBufferBit);
                gl.BindFramebuffer(Silk.NET.OpenGL.FramebufferTarget.DrawFramebuffer, 0);
                return texture;
            },
            W,
            H,
            y0Top: false);
        await GlTestBridge.WaitForShadowAsync(console, ImageRgb.Create(W, H, (_, _) => 0u), "black first frame");

        void Fill(float r, float g, float b) => console.InvokeOnGlThread(gl =>
        {
            gl.BindFramebuffer(Silk.NET.OpenGL.FramebufferTarget.DrawFramebuffer, framebuffer);
            gl.ClearColor(r, g, b, 1);
            gl.Clear(Silk.NET.OpenGL.ClearBufferMask.ColorBufferBit);
            gl.BindFramebuffer(Silk.NET.OpenGL.FramebufferTarget.DrawFramebuffer, 0);
        });

        using var release = new ManualResetEventSlim();
        console.InvokeOnGlThread(_ => release.Wait(TimeSpan.FromSeconds(20)));
        Fill(1, 0, 0);
        console.GlUpdate(0, 0, W, H);
        Fill(0, 1, 0);
        release.Set();
        await GlTestBridge.WaitForShadowAsync(console, ImageRgb.Create(W, H, (_, _) => 0x00FF0000u), "the updated (red) frame");
        await Task.Delay(200);
        ImageAssert.Equal(ImageRgb.Create(W, H, (_, _) => 0x00FF0000u), GlTestBridge.Snapshot(console), "still red: green was never reported");

        console.GlUpdate(0, 0, W, H);
        await GlTestBridge.WaitForShadowAsync(console, ImageRgb.Create(W, H, (_, _) => 0x0000FF00u), "green once reported");
    }

    /// <summary>The counter grows after the shadow was written, so a test waits for it too.</summary>
    private static async Task WaitForBytesAsync(GlBridge bridge, long atLeast)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (bridge.BytesReadBack < atLeast && !cts.IsCancellationRequested)
        {
            await Task.Delay(5);
        }

        // Anything still in flight would land now; give it a moment before the exact comparison.
        await Task.Delay(50);
    }
}
