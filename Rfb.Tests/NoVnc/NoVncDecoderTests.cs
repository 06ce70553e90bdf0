using System.Buffers.Binary;
using System.IO.Compression;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.NoVnc;

// Proves the noVNC harness with rectangles built by hand from RFC 6143 and the community rfbproto spec, in
// noVNC's pixel format (32 bpp little-endian, red shift 0: wire bytes R, G, B, unused; compact pixels R, G, B).
// Every test runs twice: with all bytes at once, and one byte per WebSocket message, so that each decoder
// also has to resume after running short of data.
public sealed class NoVncDecoderTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private const uint Red = 0xFF0000;
    private const uint Green = 0x00FF00;
    private const uint Blue = 0x0000FF;
    private const uint White = 0xFFFFFF;
    private const uint Black = 0x000000;

    // The PNG decoder tests' vector, written by netpbm 11.1's "pnmtopng -force -paeth" from the plain PPM
    // "P3 3 2 255 / 255 0 0  0 255 0  0 0 255 / 1 2 3  250 128 7  9 9 9" (colour type 2, Paeth rows).
    private static readonly byte[] s_netpbmPng =
    [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0x12, 0x16, 0xf1,
        0x4d, 0x00, 0x00, 0x00, 0x1c, 0x49, 0x44, 0x41, 0x54, 0x08, 0x99, 0x63, 0xf9, 0xcf, 0xc0, 0xc0,
        0xf8, 0x9f, 0x81, 0x81, 0xf1, 0x3f, 0x0b, 0x13, 0x13, 0xf3, 0xaf, 0x46, 0x16, 0x7e, 0x4e, 0x2e,
        0x00, 0x36, 0x6c, 0x04, 0xb0, 0xfc, 0x50, 0x39, 0x40, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
        0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    // Written by libjpeg-turbo 2.1.5's "cjpeg -quality 100 -sample 1x1 -baseline -optimize" from a 16x8 plain PPM
    // whose left 8 columns are 255 0 0 and right 8 columns 0 0 255 (baseline, 4:4:4, all quantisers 1).
    private static readonly byte[] s_cjpegRedBlue = Convert.FromHexString(
        "ffd8ffe000104a46494600010100000100010000ffdb0043000101010101010101010101010101010101010101010101"
        + "0101010101010101010101010101010101010101010101010101010101010101010101010101010101ffdb0043010101"
        + "010101010101010101010101010101010101010101010101010101010101010101010101010101010101010101010101"
        + "0101010101010101010101010101ffc00011080008001003011100021101031101ffc400140001000000000000000000"
        + "00000000000009ffc40014100100000000000000000000000000000000ffc40016010101010000000000000000000000"
        + "00000b090affc40014110100000000000000000000000000000000ffda000c03010002110311003f0017d29dbf810e55"
        + "01afbfffd9");

    [Fact]
    public void PixelFormat_IsWhatNoVncSets()
    {
        // noVNC's RFB.messages.pixelFormat(sock, 24, true): bpp 32, depth 24, little-endian, true colour,
        // max 255 each, shifts 0, 8, 16.
        var format = NoVncDecoder.PixelFormat;
        Assert.Equal((byte)32, format.BitsPerPixel);
        Assert.Equal((byte)24, format.Depth);
        Assert.False(format.BigEndian);
        Assert.True(format.TrueColour);
        Assert.Equal(((byte)0, (byte)8, (byte)16), (format.RedShift, format.GreenShift, format.BlueShift));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_Raw_PaintsPixelsAndLeavesTheRestUnpainted(int chunkSize)
    {
        var stream = new UpdateBuilder();
        stream.Update(1);
        stream.Header(1, 1, 3, 2, 0);
        stream.Pixels(Red, Green, Blue, 0x010203, 0xFA8007, White);

        var framebuffer = await NoVncDecoder.DecodeUpdatesAsync(5, 4, stream.ToArray(), s_timeout, chunkSize);

        var expected = new ImageRgb(5, 4);
        Paint(expected, 1, 1, 3, [Red, Green, Blue, 0x010203, 0xFA8007, White]);
        ImageAssert.Equal(expected, framebuffer.ToImage());
        Assert.Equal(0, framebuffer.CountNotOpaque(1, 1, 3, 2));
        Assert.Equal(0, framebuffer.AlphaAt(0, 0));
        Assert.Equal(5 * 4 - 6, framebuffer.CountNotOpaque(0, 0, 5, 4));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_CopyRect_CopiesWhatAnEarlierRectanglePainted(int chunkSize)
    {
        var rectangles = new UpdateBuilder();
        rectangles.Header(0, 0, 2, 2, 0);
        rectangles.Pixels(Red, Green, Blue, White);
        // CopyRect (encoding 1): u16 src-x, u16 src-y. The 2x2 block goes to (3, 1), then an overlapping
        // copy moves columns 0..1 of row 0 one pixel right.
        rectangles.Header(3, 1, 2, 2, 1);
        rectangles.U16(0);
        rectangles.U16(0);
        rectangles.Header(1, 0, 2, 1, 1);
        rectangles.U16(0);
        rectangles.U16(0);

        var image = await NoVncDecoder.DecodeAsync(5, 3, rectangles.ToArray(), 3, s_timeout, chunkSize);

        var expected = new ImageRgb(5, 3);
        Paint(expected, 0, 0, 2, [Red, Green, Blue, White]);
        Paint(expected, 3, 1, 2, [Red, Green, Blue, White]);
        Paint(expected, 1, 0, 2, [Red, Green]);
        ImageAssert.Equal(expected, image);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_HandBuiltHextile_GivesEachTilesPixels(int chunkSize)
    {
        // A 20x18 Hextile rectangle at (2, 1) has four tiles in raster order: 16x16, 4x16, 16x2, 4x2.
        var stream = new UpdateBuilder();
        stream.Update(1);
        stream.Header(2, 1, 20, 18, 5);

        // Tile 1, 16x16 at (2, 1): Raw (subencoding 1), pixel (x, y) = RGB(x*16, y*16, 7).
        stream.U8(1);
        var tile1 = new uint[16 * 16];
        for (var i = 0; i < tile1.Length; i++)
        {
            tile1[i] = ((uint)(i % 16) * 16 << 16) | ((uint)(i / 16) * 16 << 8) | 7;
        }

        stream.Pixels(tile1);

        // Tile 2, 4x16 at (18, 1): BackgroundSpecified (2), blue.
        stream.U8(2);
        stream.Pixels(Blue);

        // Tile 3, 16x2 at (2, 17): BackgroundSpecified | ForegroundSpecified | AnySubrects (2|4|8 = 14),
        // background green, foreground red, one subrect at (3, 1) of 5x1: byte x<<4|y = 0x31,
        // byte (w-1)<<4|(h-1) = 0x40.
        stream.U8(14);
        stream.Pixels(Green);
        stream.Pixels(Red);
        stream.U8(1);
        stream.U8(0x31);
        stream.U8(0x40);

        // Tile 4, 4x2 at (18, 17): no flags (0), so the background of the previous tile (green) fills it.
        stream.U8(0);

        var framebuffer = await NoVncDecoder.DecodeUpdatesAsync(24, 20, stream.ToArray(), s_timeout, chunkSize);

        var expected = new ImageRgb(24, 20);
        Paint(expected, 2, 1, 16, tile1);
        Fill(expected, 18, 1, 4, 16, Blue);
        Fill(expected, 2, 17, 16, 2, Green);
        Fill(expected, 2 + 3, 17 + 1, 5, 1, Red);
        Fill(expected, 18, 17, 4, 2, Green);
        ImageAssert.Equal(expected, framebuffer.ToImage());
        Assert.Equal(0, framebuffer.CountNotOpaque(2, 1, 20, 18));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_HandBuiltZrle_DecodesTilesFromOneZlibStreamAcrossUpdates(int chunkSize)
    {
        // ZRLE (encoding 16): u32 length, then zlib data; all rectangles of a connection share one zlib
        // stream. Each rectangle here is one tile (smaller than 64x64). The stream is .NET's ZLibStream,
        // sync-flushed after each rectangle's tile data as a server must.
        var compressed = new MemoryStream();
        using var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true);
        var stream = new UpdateBuilder();

        // Update 1, rectangle 1: 4x2 at (0, 0), plain RLE (128): red run of 5 (length-1 = 4), blue run of 3.
        stream.Update(2);
        stream.Header(0, 0, 4, 2, 16);
        stream.ZlibPayload(zlib, compressed, [128, .. Compact(Red), 4, .. Compact(Blue), 2]);

        // Update 1, rectangle 2: 4x2 at (4, 0), packed palette of 2 (subencoding 2), 1 bit per pixel, rows
        // padded to a byte: row 0 = 1,0,1,0 (0xA0), row 1 = 0,1,0,1 (0x50). Palette: green, white.
        stream.Header(4, 0, 4, 2, 16);
        stream.ZlibPayload(zlib, compressed, [2, .. Compact(Green), .. Compact(White), 0xA0, 0x50]);

        // Update 2, rectangle 1: 3x2 at (0, 2), palette RLE with 2 colours (128 + 2): palette red, blue;
        // index 1 with a run (0x80 | 1, length-1 = 3 → 4 pixels), then index 0 alone, then index 1 alone.
        stream.Update(1);
        stream.Header(0, 2, 3, 2, 16);
        stream.ZlibPayload(zlib, compressed, [130, .. Compact(Red), .. Compact(Blue), 0x81, 3, 0, 1]);

        // Update 3, rectangle 1: 2x1 at (5, 3), raw (0): two compact pixels, then a solid (1) tile 1x1 at (7, 3)
        // in the same update.
        stream.Update(2);
        stream.Header(5, 3, 2, 1, 16);
        stream.ZlibPayload(zlib, compressed, [0, .. Compact(0x123456), .. Compact(0xABCDEF)]);
        stream.Header(7, 3, 1, 1, 16);
        stream.ZlibPayload(zlib, compressed, [1, .. Compact(0x808080)]);

        var framebuffer = await NoVncDecoder.DecodeUpdatesAsync(8, 4, stream.ToArray(), s_timeout, chunkSize);

        var expected = new ImageRgb(8, 4);
        Paint(expected, 0, 0, 4, [Red, Red, Red, Red, Red, Blue, Blue, Blue]);
        Paint(expected, 4, 0, 4, [White, Green, White, Green, Green, White, Green, White]);
        Paint(expected, 0, 2, 3, [Blue, Blue, Blue, Blue, Red, Blue]);
        Paint(expected, 5, 3, 2, [0x123456, 0xABCDEF]);
        expected[7, 3] = 0x808080;
        ImageAssert.Equal(expected, framebuffer.ToImage());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_TightFill_FillsWithTheTightPixel(int chunkSize)
    {
        // Tight (encoding 7) fill: compression control 0x80, then one TPIXEL (R, G, B for noVNC's format).
        var rectangles = new UpdateBuilder();
        rectangles.Header(1, 1, 3, 2, 7);
        rectangles.U8(0x80);
        rectangles.Bytes(Compact(0x336699));

        var image = await NoVncDecoder.DecodeAsync(4, 4, rectangles.ToArray(), 1, s_timeout, chunkSize);

        var expected = new ImageRgb(4, 4);
        Fill(expected, 1, 1, 3, 2, 0x336699);
        ImageAssert.Equal(expected, image);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_TightBasicWithPalette_DecodesRawAndCompressedIndexes(int chunkSize)
    {
        // Tight basic compression with an explicit filter: control = (0x4 | stream) << 4, then filter id 1
        // (palette), colours - 1, the palette's TPIXELs, then the indexes: 1 bit per pixel (rows padded to a
        // byte) for 2 colours, 1 byte per pixel otherwise. Fewer than 12 bytes of indexes are sent as they are;
        // 12 or more go through the stream's zlib stream, preceded by their compact length.
        var compressed = new MemoryStream();
        using var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true);
        var rectangles = new UpdateBuilder();

        // 1. 4x2 at (0, 0), 2 colours on stream 0, 2 bytes of indexes (uncompressed): rows 1001, 0110.
        rectangles.Header(0, 0, 4, 2, 7);
        rectangles.Bytes([0x40, 1, 1, .. Compact(Red), .. Compact(Blue), 0x90, 0x60]);

        // 2. 3x1 at (4, 0), 3 colours on stream 1, 3 index bytes (uncompressed): 2, 0, 1.
        rectangles.Header(4, 0, 3, 1, 7);
        rectangles.Bytes([0x50, 1, 2, .. Compact(Red), .. Compact(Green), .. Compact(White), 2, 0, 1]);

        // 3. 4x4 at (0, 2), 3 colours on stream 2, 16 index bytes: compressed.
        byte[] indexes = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 2, 1, 1];
        rectangles.Header(0, 2, 4, 4, 7);
        rectangles.Bytes([0x60, 1, 2, .. Compact(0x101010), .. Compact(0x202020), .. Compact(0x303030)]);
        rectangles.TightCompressed(zlib, compressed, indexes);

        // 4. 3x4 at (4, 2), again stream 2 (its zlib stream goes on): 3 colours, 12 index bytes.
        byte[] indexes2 = [2, 1, 0, 2, 1, 0, 1, 1, 1, 0, 0, 2];
        rectangles.Header(4, 2, 3, 4, 7);
        rectangles.Bytes([0x60, 1, 2, .. Compact(Blue), .. Compact(Green), .. Compact(Red)]);
        rectangles.TightCompressed(zlib, compressed, indexes2);

        var image = await NoVncDecoder.DecodeAsync(7, 6, rectangles.ToArray(), 4, s_timeout, chunkSize);

        var expected = new ImageRgb(7, 6);
        Paint(expected, 0, 0, 4, [Blue, Red, Red, Blue, Red, Blue, Blue, Red]);
        Paint(expected, 4, 0, 3, [White, Red, Green]);
        Paint(expected, 0, 2, 4, [.. indexes.Select(i => 0x101010u * (uint)(i + 1))]);
        uint[] palette2 = [Blue, Green, Red];
        Paint(expected, 4, 2, 3, [.. indexes2.Select(i => palette2[i])]);
        ImageAssert.Equal(expected, image);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_TightPng_DrawsThePictureBeforeLaterRectangles(int chunkSize)
    {
        // TightPNG (encoding -260): control 0xA0 (PNG), compact length, a PNG file. noVNC hands the PNG to an
        // image and queues everything after it until the image has loaded, so the Tight fill that follows in
        // the same update must end up on top of the picture, and the next update must wait for both.
        var stream = new UpdateBuilder();
        stream.Update(2);
        stream.Header(1, 1, 3, 2, -260);
        stream.U8(0xA0);
        stream.U8((byte)s_netpbmPng.Length);
        stream.Bytes(s_netpbmPng);
        stream.Header(2, 1, 1, 1, 7);
        stream.Bytes([0x80, .. Compact(0x445566)]);
        stream.Update(1);
        stream.Header(0, 0, 1, 1, 7);
        stream.Bytes([0x80, .. Compact(0x778899)]);

        var framebuffer = await NoVncDecoder.DecodeUpdatesAsync(4, 3, stream.ToArray(), s_timeout, chunkSize);

        var expected = new ImageRgb(4, 3);
        Paint(expected, 1, 1, 3, [0xFF0000, 0x445566, 0x0000FF, 0x010203, 0xFA8007, 0x090909]);
        expected[0, 0] = 0x778899;
        ImageAssert.Equal(expected, framebuffer.ToImage());
        Assert.Equal(0, framebuffer.CountNotOpaque(1, 1, 3, 2));
    }

    [Fact]
    public async Task Decode_RawWhileAPictureLoads_DrawsBytesFromTheStartOfTheReceiveQueue()
    {
        // A noVNC 1.6.0 flaw that servers must avoid: while an image of the update is still loading, Display.blitImage
        // queues a copy of the pixels taken from offset 0 of the array's buffer instead of the array's own offset.
        // The Raw decoder (and Hextile's raw tiles) hand it a view into the receive queue, so the queued pixels are
        // the first bytes of the queue. Here the whole input is one WebSocket message, whose first 4 bytes are the
        // FramebufferUpdate header 00 00 00 02: the Raw pixel comes out as R 0, G 0, B 0 with alpha 2, not 445566.
        var stream = new UpdateBuilder();
        stream.Update(2);
        stream.Header(1, 1, 3, 2, -260);
        stream.U8(0xA0);
        stream.U8((byte)s_netpbmPng.Length);
        stream.Bytes(s_netpbmPng);
        stream.Header(2, 1, 1, 1, 0);
        stream.Pixels(0x445566);

        var framebuffer = await NoVncDecoder.DecodeUpdatesAsync(4, 3, stream.ToArray(), s_timeout);

        Assert.Equal(0x000000u, framebuffer.ToImage()[2, 1]);
        Assert.Equal(2, framebuffer.AlphaAt(2, 1));
        Assert.Equal(0xFF0000u, framebuffer.ToImage()[1, 1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_TightJpeg_DrawsThePictureWithinJpegError(int chunkSize)
    {
        // Tight JPEG: control 0x90, compact length (293 = 0xA5 0x02: low 7 bits first, high bit = more), the
        // JPEG file. The picture is decoded by jpeg-js, not by a browser, so pixels may differ by a little.
        var rectangles = new UpdateBuilder();
        rectangles.Header(2, 1, 16, 8, 7);
        rectangles.Bytes([0x90, 0xA5, 0x02]);
        rectangles.Bytes(s_cjpegRedBlue);

        var image = await NoVncDecoder.DecodeAsync(20, 10, rectangles.ToArray(), 1, s_timeout, chunkSize);

        var expected = new ImageRgb(20, 10);
        Fill(expected, 2, 1, 8, 8, Red);
        Fill(expected, 10, 1, 8, 8, Blue);
        for (var y = 0; y < 10; y++)
        {
            for (var x = 0; x < 20; x++)
            {
                var (want, got) = (expected[x, y], image[x, y]);
                for (var shift = 0; shift <= 16; shift += 8)
                {
                    var difference = Math.Abs((int)((want >> shift) & 0xFF) - (int)((got >> shift) & 0xFF));
                    Assert.True(difference <= 3, $"({x}, {y}): expected {want:X6}, got {got:X6}");
                }
            }
        }
    }

    [Fact]
    public async Task Decode_TightPngWithCorruptPicture_Throws()
    {
        var png = (byte[])s_netpbmPng.Clone();
        png[45] ^= 0x01; // a byte inside IDAT's data, so its CRC no longer matches
        var rectangles = new UpdateBuilder();
        rectangles.Header(0, 0, 3, 2, -260);
        rectangles.U8(0xA0);
        rectangles.U8((byte)png.Length);
        rectangles.Bytes(png);

        var error = await Assert.ThrowsAsync<NoVncDecodeException>(
            () => NoVncDecoder.DecodeAsync(3, 2, rectangles.ToArray(), 1, s_timeout));

        Assert.Contains("PNG image could not be decoded", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_LastRect_EndsTheUpdate(int chunkSize)
    {
        var rectangles = new UpdateBuilder();
        rectangles.Header(0, 0, 1, 1, 0);
        rectangles.Pixels(Green);
        rectangles.Header(0, 0, 0, 0, -224);

        var image = await NoVncDecoder.DecodeAsync(2, 1, rectangles.ToArray(), NoVncDecoder.LastRectCount, s_timeout, chunkSize);

        ImageAssert.Equal(new ImageRgb(2, 1, [Green, Black]), image);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Decode_TruncatedPayload_ThrowsNamingTheRectangle(int chunkSize)
    {
        var rectangles = new UpdateBuilder();
        rectangles.Header(0, 0, 1, 1, 0);
        rectangles.Pixels(Green);
        rectangles.Header(1, 0, 2, 2, 0);
        rectangles.Pixels(Red, Red, Red); // one pixel short
        rectangles.U8(0);

        var error = await Assert.ThrowsAsync<NoVncDecodeException>(
            () => NoVncDecoder.DecodeAsync(3, 2, rectangles.ToArray(), 2, s_timeout, chunkSize));

        Assert.Equal(1, error.ExitCode);
        Assert.Contains("the input ended inside update 1, rectangle 1 (2x2 at 1,0, encoding 0)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_IllegalTightControl_ThrowsWithNoVncsError()
    {
        // Control byte 0xF0: compression 0xF, which is neither fill (8), JPEG (9), PNG (10) nor basic (bit 3 clear).
        var rectangles = new UpdateBuilder();
        rectangles.Header(0, 0, 1, 1, 7);
        rectangles.Bytes([0xF0, 0, 0, 0]);

        var error = await Assert.ThrowsAsync<NoVncDecodeException>(
            () => NoVncDecoder.DecodeAsync(1, 1, rectangles.ToArray(), 1, s_timeout));

        Assert.Contains("Illegal tight compression received (ctl: 15)", error.Message, StringComparison.Ordinal);
        Assert.Contains("rectangle 0 (1x1 at 0,0, encoding 7)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Decode_UnknownEncoding_Throws()
    {
        var rectangles = new UpdateBuilder();
        rectangles.Header(0, 0, 1, 1, 1234);

        var error = await Assert.ThrowsAsync<NoVncDecodeException>(
            () => NoVncDecoder.DecodeAsync(1, 1, rectangles.ToArray(), 1, s_timeout));

        Assert.Contains("Unsupported encoding (encoding: 1234)", error.Message, StringComparison.Ordinal);
    }

    private static byte[] Compact(uint rgb) => [(byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb];

    private static void Paint(ImageRgb image, int x, int y, int width, uint[] pixels)
    {
        for (var i = 0; i < pixels.Length; i++)
        {
            image[x + (i % width), y + (i / width)] = pixels[i];
        }
    }

    private static void Fill(ImageRgb image, int x, int y, int width, int height, uint rgb)
    {
        for (var row = y; row < y + height; row++)
        {
            for (var column = x; column < x + width; column++)
            {
                image[column, row] = rgb;
            }
        }
    }

    // Server-to-client bytes written by hand, independently of the server's own writers.
    private sealed class UpdateBuilder
    {
        private readonly List<byte> _bytes = [];

        public void U8(byte value) => _bytes.Add(value);

        public void U16(int value)
        {
            _bytes.Add((byte)(value >> 8));
            _bytes.Add((byte)value);
        }

        public void Bytes(ReadOnlySpan<byte> bytes) => _bytes.AddRange(bytes);

        // FramebufferUpdate: u8 type 0, u8 padding, u16 number of rectangles.
        public void Update(int rectangles)
        {
            U8(0);
            U8(0);
            U16(rectangles);
        }

        // Rectangle header: u16 x, y, width, height, s32 encoding.
        public void Header(int x, int y, int width, int height, int encoding)
        {
            U16(x);
            U16(y);
            U16(width);
            U16(height);
            Span<byte> e = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(e, encoding);
            Bytes(e);
        }

        // 32 bpp little-endian pixels with red at bit 0, green at 8, blue at 16.
        public void Pixels(params uint[] rgb)
        {
            foreach (var pixel in rgb)
            {
                Bytes([(byte)(pixel >> 16), (byte)(pixel >> 8), (byte)pixel, 0]);
            }
        }

        // ZRLE: u32 length of what the shared zlib stream produced for this rectangle, then those bytes.
        public void ZlibPayload(ZLibStream zlib, MemoryStream compressed, byte[] data)
        {
            var produced = Deflate(zlib, compressed, data);
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)produced.Length);
            Bytes(length);
            Bytes(produced);
        }

        // Tight: compact length (7 bits per byte, low first, high bit = more), then the zlib bytes.
        public void TightCompressed(ZLibStream zlib, MemoryStream compressed, byte[] data)
        {
            var produced = Deflate(zlib, compressed, data);
            Assert.True(produced.Length < 128, "the test's compact length is one byte");
            U8((byte)produced.Length);
            Bytes(produced);
        }

        public byte[] ToArray() => [.. _bytes];

        private static byte[] Deflate(ZLibStream zlib, MemoryStream compressed, byte[] data)
        {
            var start = compressed.Length;
            zlib.Write(data);
            zlib.Flush(); // a sync flush: everything written so far can be inflated
            return compressed.ToArray()[(int)start..];
        }
    }
}
