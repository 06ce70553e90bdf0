using Rfb.Recording;

namespace Rfb.Tests.Recording;

public sealed class RecordedSessionDecoderTests
{
    [Fact]
    public void TryReadEvent_GoldenSession_YieldsServerInitAndUpdatesWithBlockTimestamps()
    {
        var decoder = new RecordedSessionDecoder();
        List<TraceEvent> events = [];
        foreach ((int start, int end, uint ms) in GoldenSession.Blocks)
        {
            decoder.Append(GoldenSession.Stream.AsSpan(start, end - start), ms);
            while (decoder.TryReadEvent(out TraceEvent? e))
            {
                events.Add(e);
            }
        }

        decoder.Complete();
        AssertGoldenEvents(events);
        Assert.Equal(164, decoder.Position);
        Assert.Equal(3, decoder.SkippedMessages); // Bell, ServerCutText, SetColourMapEntries
        Assert.Equal((6, 5), (decoder.Width, decoder.Height));
    }

    [Fact]
    public void TryReadEvent_EachBlockFedByteByByte_DecodesIdentically()
    {
        var decoder = new RecordedSessionDecoder();
        List<TraceEvent> events = [];
        foreach ((int start, int end, uint ms) in GoldenSession.Blocks)
        {
            for (int i = start; i < end; i++)
            {
                decoder.Append(GoldenSession.Stream.AsSpan(i, 1), ms);
                while (decoder.TryReadEvent(out TraceEvent? e))
                {
                    events.Add(e);
                }
            }
        }

        decoder.Complete();
        AssertGoldenEvents(events);
    }

    [Fact]
    public void ReadEvents_GoldenFbsFileReadOneByteAtATime_DecodesIdentically()
    {
        using var reader = new FbsReader(new OneByteStream(GoldenSession.Fbs()));
        AssertGoldenEvents(RecordedSessionDecoder.ReadEvents(reader).ToList());
    }

    [Fact]
    public void Apply_GoldenSessionUpdates_GivesHandComputedFrames()
    {
        using var reader = new FbsReader(new MemoryStream(GoldenSession.Fbs()));
        List<TraceEvent> events = RecordedSessionDecoder.ReadEvents(reader).ToList();
        var init = (TraceServerInit)events[0];
        var framebuffer = new TraceFramebuffer(init.Width, init.Height);
        framebuffer.Apply((TraceUpdate)events[1]);
        // Raw wrote 0x00332211, 0x00665544 / 0x00998877, 0x00CCBBAA at (1,1); the copy moved the
        // first of those rows to (0,0).
        uint[] expected =
        [
            0x00332211, 0x00665544, 0, 0,
            0, 0x00332211, 0x00665544, 0,
            0, 0x00998877, 0x00CCBBAA, 0,
        ];
        Assert.Equal(expected, Pixels(framebuffer));

        framebuffer.Apply((TraceUpdate)events[2]);
        Assert.Equal((6, 5), (framebuffer.Width, framebuffer.Height));
        uint[] resized = new uint[30];
        resized[29] = 0x00030201;
        Assert.Equal(resized, Pixels(framebuffer));
    }

    [Theory]
    [InlineData("RFB 003.008\n", TraceFormatError.UnsupportedVersion)]
    [InlineData("RFB 003.007\n", TraceFormatError.UnsupportedVersion)]
    [InlineData("FBS 001.000\n", TraceFormatError.UnsupportedVersion)]
    public void TryReadEvent_OtherVersion_ThrowsUnsupportedVersion(string version, TraceFormatError error)
    {
        byte[] stream = [.. System.Text.Encoding.ASCII.GetBytes(version), .. GoldenSession.Stream[12..]];
        Assert.Equal(error, DecodeError(stream));
    }

    [Fact]
    public void TryReadEvent_VncAuthentication_ThrowsUnsupportedSecurity()
    {
        byte[] stream = [.. GoldenSession.Stream[..12], 0x00, 0x00, 0x00, 0x02, .. new byte[16]];
        Assert.Equal(TraceFormatError.UnsupportedSecurity, DecodeError(stream));
    }

    [Fact]
    public void TryReadEvent_ConnectionFailed_ThrowsUnsupportedSecurityWithReason()
    {
        byte[] stream = [.. GoldenSession.Stream[..12], 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x6E, 0x6F]; // reason "no"
        var decoder = new RecordedSessionDecoder();
        decoder.Append(stream, 0);
        var e = Assert.Throws<TraceFormatException>(() => decoder.TryReadEvent(out _));
        Assert.Equal(TraceFormatError.UnsupportedSecurity, e.Error);
        Assert.Contains("\"no\"", e.Message);
    }

    [Theory]
    [InlineData(20, 16)] // 16 bpp
    [InlineData(22, 1)]  // big-endian
    [InlineData(23, 0)]  // colour map
    [InlineData(30, 0)]  // red shift 0 (XBGR)
    public void TryReadEvent_OtherPixelFormat_ThrowsUnsupportedPixelFormat(int offset, byte value)
    {
        byte[] stream = GoldenSession.Stream[..GoldenSession.ServerInitEnd];
        stream[offset] = value;
        Assert.Equal(TraceFormatError.UnsupportedPixelFormat, DecodeError(stream));
    }

    [Fact]
    public void TryReadEvent_RawOutsideFramebuffer_ThrowsRectangleOutsideFramebuffer()
    {
        // 1 rectangle: Raw 2x1 at (3,2) on the 4x3 screen: x + w = 5 > 4.
        byte[] stream = GoldenSession.WithMessages(
            0x00, 0x00, 0x00, 0x01,
            0x00, 0x03, 0x00, 0x02, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            0, 0, 0, 0, 0, 0, 0, 0);
        Assert.Equal(TraceFormatError.RectangleOutsideFramebuffer, DecodeError(stream));
    }

    [Fact]
    public void TryReadEvent_CopySourceOutsideFramebuffer_ThrowsRectangleOutsideFramebuffer()
    {
        // CopyRect 2x2 to (0,0) from (0,2): source bottom 4 > 3.
        byte[] stream = GoldenSession.WithMessages(
            0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x02);
        Assert.Equal(TraceFormatError.RectangleOutsideFramebuffer, DecodeError(stream));
    }

    [Fact]
    public void TryReadEvent_RectOutsideSizeBeforeDesktopSize_ThrowsRectangleOutsideFramebuffer()
    {
        // The golden session's second update with its two rectangles swapped: the Raw at (5,4)
        // comes before the DesktopSize that makes room for it.
        byte[] stream = GoldenSession.WithMessages(
            [0x00, 0x00, 0x00, 0x02, .. GoldenSession.Stream[132..148], .. GoldenSession.Stream[120..132]]);
        Assert.Equal(TraceFormatError.RectangleOutsideFramebuffer, DecodeError(stream));
    }

    [Fact]
    public void TryReadEvent_HextileRectangle_ThrowsUnknownEncoding()
    {
        byte[] stream = GoldenSession.WithMessages(
            0x00, 0x00, 0x00, 0x01,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05);
        Assert.Equal(TraceFormatError.UnknownEncoding, DecodeError(stream));
    }

    [Fact]
    public void TryReadEvent_UnknownMessageType_ThrowsUnknownMessage()
    {
        Assert.Equal(TraceFormatError.UnknownMessage, DecodeError(GoldenSession.WithMessages(0x07)));
    }

    [Fact]
    public void TryReadEvent_UpdateLongerThanLimit_ThrowsMessageTooLong()
    {
        // Raw 4x3 = 48 pixel bytes + 12 header + 4 update header = 64 bytes > 63.
        byte[] stream = GoldenSession.WithMessages(
            [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, .. new byte[48]]);
        var tight = new RecordedSessionDecoder(maxMessageLength: 64);
        tight.Append(stream, 0);
        Assert.True(tight.TryReadEvent(out _)); // ServerInit
        Assert.True(tight.TryReadEvent(out TraceEvent? update)); // exactly at the limit
        Assert.IsType<TraceUpdate>(update);

        var tighter = new RecordedSessionDecoder(maxMessageLength: 63);
        tighter.Append(stream[..60], 0); // the limit is checked before the pixels arrive
        Assert.True(tighter.TryReadEvent(out _));
        var e = Assert.Throws<TraceFormatException>(() => tighter.TryReadEvent(out _));
        Assert.Equal(TraceFormatError.MessageTooLong, e.Error);
    }

    [Theory]
    [InlineData(30)]  // inside ServerInit
    [InlineData(70)]  // inside the first update's pixels
    [InlineData(110)] // inside ServerCutText
    public void Complete_StreamEndsInsideMessage_ThrowsTruncatedStream(int length)
    {
        var decoder = new RecordedSessionDecoder();
        decoder.Append(GoldenSession.Stream.AsSpan(0, length), 0);
        while (decoder.TryReadEvent(out _))
        {
        }

        var e = Assert.Throws<TraceFormatException>(decoder.Complete);
        Assert.Equal(TraceFormatError.TruncatedStream, e.Error);
    }

    [Fact]
    public void ReadEvents_FbsFileCutInsideUpdate_ThrowsTruncatedStream()
    {
        var file = new MemoryStream();
        using (var writer = new FbsWriter(file, compress: false, leaveOpen: true))
        {
            writer.WriteBlock(GoldenSession.Stream.AsSpan(0, 70), 5);
        }

        file.Position = 0;
        using var reader = new FbsReader(file);
        var e = Assert.Throws<TraceFormatException>(() => RecordedSessionDecoder.ReadEvents(reader).ToList());
        Assert.Equal(TraceFormatError.TruncatedStream, e.Error);
    }

    internal static uint[] Pixels(TraceFramebuffer framebuffer)
    {
        var pixels = new uint[framebuffer.Width * framebuffer.Height];
        for (int y = 0; y < framebuffer.Height; y++)
        {
            for (int x = 0; x < framebuffer.Width; x++)
            {
                pixels[y * framebuffer.Width + x] = framebuffer.GetPixel(x, y);
            }
        }

        return pixels;
    }

    private static TraceFormatError DecodeError(byte[] stream)
    {
        var decoder = new RecordedSessionDecoder();
        decoder.Append(stream, 0);
        var e = Assert.Throws<TraceFormatException>(() =>
        {
            while (decoder.TryReadEvent(out _))
            {
            }
        });
        return e.Error;
    }

    private static void AssertGoldenEvents(List<TraceEvent> events)
    {
        Assert.Equal(4, events.Count);

        var init = Assert.IsType<TraceServerInit>(events[0]);
        Assert.Equal((4, 3, "test", 10u), (init.Width, init.Height, init.Name, init.TimestampMs));

        var first = Assert.IsType<TraceUpdate>(events[1]);
        Assert.Equal(20u, first.TimestampMs); // ends exactly at the end of the third block
        Assert.Equal(2, first.Operations.Count);
        TraceOperation raw = first.Operations[0];
        Assert.Equal((TraceOperationKind.Raw, 1, 1, 2, 2), (raw.Kind, raw.X, raw.Y, raw.Width, raw.Height));
        Assert.Equal(GoldenSession.Stream[60..76], raw.Pixels.ToArray());
        TraceOperation copy = first.Operations[1];
        Assert.Equal((TraceOperationKind.Copy, 1, 1, 0, 0, 2, 1), (copy.Kind, copy.SourceX, copy.SourceY, copy.X, copy.Y, copy.Width, copy.Height));

        var second = Assert.IsType<TraceUpdate>(events[2]);
        Assert.Equal(40u, second.TimestampMs);
        Assert.Equal(2, second.Operations.Count);
        TraceOperation size = second.Operations[0];
        Assert.Equal((TraceOperationKind.DesktopSize, 6, 5), (size.Kind, size.Width, size.Height));
        TraceOperation pixel = second.Operations[1];
        Assert.Equal((TraceOperationKind.Raw, 5, 4, 1, 1), (pixel.Kind, pixel.X, pixel.Y, pixel.Width, pixel.Height));
        Assert.Equal(new byte[] { 0x01, 0x02, 0x03, 0x00 }, pixel.Pixels.ToArray());

        var third = Assert.IsType<TraceUpdate>(events[3]);
        Assert.Equal(40u, third.TimestampMs);
        Assert.Empty(third.Operations);
    }
}
