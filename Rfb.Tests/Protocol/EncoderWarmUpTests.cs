using ConsoleBridge;
using Rfb.Encodings;
using Rfb.Sessions;

namespace Rfb.Tests.Protocol;

/// <summary>The start-up warm-up really runs every encoding the sessions can choose.</summary>
public sealed class EncoderWarmUpTests
{
    [Fact]
    public void Run_EncodesWithEveryEncodingTheServerOffers()
    {
        Dictionary<int, long> bytes = EncoderWarmUp.Run();

        int[] offered = [EncodingType.Raw, EncodingType.Tight, EncodingType.TightPng, EncodingType.Zrle, EncodingType.Hextile, EncodingType.Zlib];
        Assert.All(offered, e => Assert.True(EncoderCatalog.IsSupported(e)));
        Assert.Equal(offered.Order(), bytes.Keys.Order());

        // Raw: the 320x192 frame's pixels, in three rectangles with 12-byte headers, at 4 and 2
        // bytes a pixel, lossless and at quality 8 (Raw ignores quality): 2 × (4 + 2) × 61440 + 4 × 36.
        Assert.Equal((2L * (4 + 2) * 320 * 192) + (4 * 3 * 12), bytes[EncodingType.Raw]);
        foreach (int e in offered.Where(e => e != EncodingType.Raw))
        {
            Assert.InRange(bytes[e], 1000, bytes[EncodingType.Raw] - 1);
        }
    }

    [Fact]
    public void SortRectangles_SortsInRasterOrder()
    {
        List<PixelRect> rects = EncoderWarmUp.SortRectangles();

        Assert.Equal(32, rects.Count);
        Assert.Equal(Enumerable.Range(1, 32), rects.Select(r => r.Y));
    }

    [Fact]
    public void RunLarge_CompressesALargeRectangleWithTheSegmentedEncodings()
    {
        Dictionary<int, long> bytes = EncoderWarmUp.RunLarge();

        Assert.Equal(new[] { EncodingType.Tight, EncodingType.Zlib }.Order(), bytes.Keys.Order());

        // 1024×512 pixels: text, a gradient and 32-colour cells above, noise below. The noise
        // alone is 196,608 pixels of 3 random bytes, which no zlib level shrinks much, and the
        // whole is far below its 4-byte Raw size.
        long noise = (long)EncoderWarmUp.LargeWidth * (EncoderWarmUp.LargeHeight - EncoderWarmUp.LargePaletteEnd);
        Assert.Equal(196_608, noise);
        Assert.All(bytes.Values, b => Assert.InRange(b, noise * 3 * 9 / 10, (long)EncoderWarmUp.LargeWidth * EncoderWarmUp.LargeHeight * 3 * 6 / 10));
    }

    [Fact]
    public async Task Server_WarmUpTask_CompletesWhenOnAndIsCompleteAtOnceWhenOff()
    {
        await using var off = new RfbServer(new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false }), new RfbServerOptions { WarmUpEncoders = false });
        Assert.True(off.WarmUp.IsCompletedSuccessfully);

        await using var on = new RfbServer(new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false }), new RfbServerOptions());
        await on.WarmUp.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(on.WarmUp.IsCompletedSuccessfully);
    }

    [Theory]
    [InlineData(0, EncodingType.Zrle)]
    [InlineData(1, EncodingType.Tight)]
    public async Task SessionWarmUp_RunsARealSessionThroughScrollAndSmallChanges(int session, int encoding)
    {
        Assert.Equal(encoding, SessionWarmUp.Sessions[session][0]);
        SessionWarmUp.Result result = await SessionWarmUp.RunAsync(SessionWarmUp.Sessions[session], TimeSpan.FromSeconds(30));

        Assert.Equal(SessionEndReason.ClientClosed, result.EndReason);
        if (encoding == EncodingType.Tight)
        {
            // The noise is sent as JPEG at quality 8, so the last update is its lossless refresh.
            Encodings.Tight.TurboJpegRequirement.Ensure();
            Assert.True(result.SawJpeg, "the Tight session sent JPEG");
        }

        Assert.Equal(result.SawJpeg ? 6 : 5, result.Updates.Count);

        // Two full updates covering the whole frame.
        foreach ((int Encoding, int Width, int Height)[] full in result.Updates.Take(2))
        {
            Assert.All(full, r => Assert.Equal(encoding, r.Encoding));
            Assert.Equal(SessionWarmUp.Width * SessionWarmUp.Height, full.Sum(r => r.Width * r.Height));
        }

        // The scroll: the console's search found it, so the rows that moved came as a CopyRect
        // and only the new rows as pixels.
        (int Encoding, int Width, int Height)[] scroll = result.Updates[2];
        (int _, int copyWidth, int copyHeight) = Assert.Single(scroll, r => r.Encoding == EncodingType.CopyRect);
        Assert.Equal(SessionWarmUp.Width, copyWidth);
        Assert.Equal(SessionWarmUp.TextHeight - SessionWarmUp.ScrollRows, copyHeight);
        Assert.Equal(SessionWarmUp.Width * SessionWarmUp.ScrollRows, scroll.Where(r => r.Encoding == encoding).Sum(r => r.Width * r.Height));

        // The small changes: no more than the box around the two changed areas (the session may
        // send the two as one rectangle).
        (int Encoding, int Width, int Height)[] small = result.Updates[3];
        Assert.All(small, r => Assert.Equal(encoding, r.Encoding));
        Assert.InRange(small.Sum(r => r.Width * r.Height), (200 * 16) + (96 * 64), 200 * 80);

        // The scattered blocks: each 8x8 block is covered, within the three tile rows that hold them.
        (int Encoding, int Width, int Height)[] scattered = result.Updates[4];
        Assert.All(scattered, r => Assert.Equal(encoding, r.Encoding));
        Assert.InRange(scattered.Sum(r => r.Width * r.Height), SessionWarmUp.ScatteredBlocks * 64, 3 * 64 * SessionWarmUp.Width);
        if (result.SawJpeg)
        {
            // The lossless refresh: Tight rectangles, no more than the frame.
            (int Encoding, int Width, int Height)[] refresh = result.Updates[5];
            Assert.NotEmpty(refresh);
            Assert.All(refresh, r => Assert.Equal(encoding, r.Encoding));
            Assert.InRange(refresh.Sum(r => r.Width * r.Height), 1, SessionWarmUp.Width * SessionWarmUp.Height);
        }

        Assert.True(result.Bytes > 0);
    }
}
