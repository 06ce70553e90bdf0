using System.IO.Compression;
using System.Text;
using Rfb.Encodings;
using Rfb.Recording;
using Rfb.Tests.EndToEnd.Tools;
using TraceBench;
using TraceBench.Client;

namespace Rfb.Tests.TraceBench;

/// <summary>
/// The measuring client's decoders on small golden rectangles. Every payload is written by hand
/// from the encodings' specifications (RFC 6143 §7.7.5–7.7.6, community rfbproto "Tight
/// Encoding"); only the zlib layer is produced by .NET's ZLibStream (one stream, a sync flush
/// after each rectangle, as servers do), and JPEG and PNG pictures by netpbm's pnmtojpeg and
/// pnmtopng.
/// </summary>
public sealed class DecoderTests
{
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Zrle_EverySubencodingOnOneStream_GivesPixels()
    {
        var z = new ZlibChunks();
        var bytes = new List<byte>();

        // 1. Solid 3x2: sub 1, CPIXEL blue 0x30, green 0x20, red 0x10.
        Zrle(bytes, z, [1, 0x30, 0x20, 0x10]);
        // 2. Raw 3x2: six CPIXELs.
        Zrle(bytes, z, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
        // 3. Packed palette, 2 colours (1 bit, rows padded to a byte, most significant first):
        //    rows 1 0 1 / 0 1 1 -> 0xA0, 0x60.
        Zrle(bytes, z, [2, 0xFF, 0, 0, 0, 0, 0xFF, 0xA0, 0x60]);
        // 4. Plain RLE: colour A for 4 pixels (run byte 3), colour B for 2 (run byte 1).
        Zrle(bytes, z, [128, 1, 1, 1, 3, 2, 2, 2, 1]);
        // 5. Palette RLE with 2 colours: index 0 run 3 (0x80, 2), index 1 once, index 1 run 2 (0x81, 1).
        Zrle(bytes, z, [130, 9, 9, 9, 7, 7, 7, 0x80, 2, 0x01, 0x81, 1]);

        TraceFramebuffer fb = DecodeAll(new ZrleDecoder(), bytes, 5, Enumerable.Repeat((1, 1, 3, 2), 5).ToList());
        // Only the last rectangle remains at (1,1); the earlier ones are checked one by one below.
        Assert.Equal([0x090909u, 0x090909, 0x090909, 0x070707, 0x070707, 0x070707], Area(fb, 1, 1, 3, 2));

        uint[][] expected =
        [
            [0x102030, 0x102030, 0x102030, 0x102030, 0x102030, 0x102030],
            [0x030201, 0x060504, 0x090807, 0x0C0B0A, 0x0F0E0D, 0x121110],
            [0xFF0000, 0x0000FF, 0xFF0000, 0x0000FF, 0xFF0000, 0xFF0000],
            [0x010101, 0x010101, 0x010101, 0x010101, 0x020202, 0x020202],
        ];
        var decoder = new ZrleDecoder();
        var input = new RfbInput(new MemoryStream(bytes.ToArray()));
        foreach (uint[] e in expected)
        {
            var one = new TraceFramebuffer(3, 2);
            decoder.Decode(input, 0, 0, 3, 2, one);
            Assert.Equal(e, Area(one, 0, 0, 3, 2));
        }
    }

    [Fact]
    public void Zrle_LongRunAndTwoTiles_GivesPixels()
    {
        var z = new ZlibChunks();
        var bytes = new List<byte>();
        // 70x5: two tiles, 64x5 then 6x5. Tile 1: plain RLE, one colour for all 320 pixels
        // (run 320 = 1 + 255 + 64: bytes 255, 64). Tile 2: solid.
        Zrle(bytes, z, [128, 0x33, 0x22, 0x11, 255, 64, 1, 0x66, 0x55, 0x44]);
        TraceFramebuffer fb = DecodeAll(new ZrleDecoder(), bytes, 70, [(0, 0, 70, 5)], height: 5);
        for (int y = 0; y < 5; y++)
        {
            for (int x = 0; x < 70; x++)
            {
                Assert.Equal(x < 64 ? 0x112233u : 0x445566u, fb.GetPixel(x, y) & 0xFFFFFF);
            }
        }
    }

    [Fact]
    public void Zrle_UndefinedSubencoding_Throws()
    {
        var z = new ZlibChunks();
        var bytes = new List<byte>();
        Zrle(bytes, z, [17]);
        var ex = Assert.Throws<InvalidDataException>(() => DecodeAll(new ZrleDecoder(), bytes, 3, [(0, 0, 3, 2)]));
        Assert.Contains("sub-encoding 17", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zlib_TwoRectanglesOnOneStream_GivesPixels()
    {
        var z = new ZlibChunks();
        var bytes = new List<byte>();
        foreach (byte[] raw in new[] { new byte[] { 1, 2, 3, 0, 4, 5, 6, 0 }, [7, 8, 9, 0, 10, 11, 12, 0, 13, 14, 15, 0, 16, 17, 18, 0] })
        {
            byte[] c = z.Chunk(raw);
            bytes.AddRange(U32(c.Length));
            bytes.AddRange(c);
        }

        TraceFramebuffer fb = DecodeAll(new ZlibDecoder(), bytes, 4, [(0, 0, 2, 1), (0, 1, 4, 1)]);
        Assert.Equal([0x030201u, 0x060504, 0, 0, 0x090807, 0x0C0B0A, 0x0F0E0D, 0x121110], Area(fb, 0, 0, 4, 2));
    }

    [Fact]
    public void Tight_FillCopyPaletteAndGradient_GivesPixels()
    {
        var streams = new[] { new ZlibChunks(), new ZlibChunks(), new ZlibChunks(), new ZlibChunks() };
        var bytes = new List<byte>();
        var rects = new List<(int, int, int, int)>();

        // Fill 2x2 at (0,0): 0x80, TPIXEL red, green, blue.
        bytes.AddRange([0x80, 0x10, 0x20, 0x30]);
        rects.Add((0, 0, 2, 2));

        // Copy filter (implicit), stream 0, 2x2 at (2,0): 12 bytes, so compressed with a compact length.
        bytes.Add(0x00);
        Compressed(bytes, streams[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        rects.Add((2, 0, 2, 2));

        // Copy 1x2 at (4,0): 6 bytes, under 12, so sent as they are.
        bytes.AddRange([0x00, 0xA1, 0xA2, 0xA3, 0xB1, 0xB2, 0xB3]);
        rects.Add((4, 0, 1, 2));

        // Palette of 2 on stream 1 with an explicit filter (0x50), 3x2 at (0,2): rows 1 0 1 / 0 1 1
        // as bits -> 0xA0, 0x60 (2 bytes, sent as they are).
        bytes.AddRange([0x50, 1, 1, 0xFF, 0, 0, 0, 0, 0xFF, 0xA0, 0x60]);
        rects.Add((0, 2, 3, 2));

        // Palette of 3 on stream 2 (0x60), 4x3 at (3,2): one index byte a pixel, 12 bytes, compressed.
        bytes.AddRange([0x60, 1, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
        Compressed(bytes, streams[2], [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
        rects.Add((3, 2, 4, 3));

        // Gradient on stream 0 (0x40, filter 2), 2x2 at (0,5). Pixels (10,20,30) (20,20,40) /
        // (15,25,30) (30,10,50); predictions 0, left, above, left+above-aboveleft = (25,25,40):
        // data (10,20,30) (10,0,10) (5,5,0) (5,-15,10)=(5,241,10).
        bytes.AddRange([0x40, 2]);
        Compressed(bytes, streams[0], [10, 20, 30, 10, 0, 10, 5, 5, 0, 5, 241, 10]);
        rects.Add((0, 5, 2, 2));

        // Gradient clamped on stream 0 after resetting it (0x40 | 0x01 = 0x41: a new zlib stream):
        // pixels (200) (250) / (250) (100) in red; the last prediction 250+250-200 = 300 clamps to
        // 255, data (100-255) mod 256 = 101.
        streams[0] = new ZlibChunks();
        bytes.AddRange([0x41, 2]);
        Compressed(bytes, streams[0], [200, 0, 0, 50, 0, 0, 50, 0, 0, 101, 0, 0]);
        rects.Add((2, 5, 2, 2));

        TraceFramebuffer fb = DecodeAll(new TightDecoder(EncodingType.Tight), bytes, 7, rects, height: 7);
        Assert.Equal([0x102030u, 0x102030, 0x102030, 0x102030], Area(fb, 0, 0, 2, 2));
        Assert.Equal([0x010203u, 0x040506, 0x070809, 0x0A0B0C], Area(fb, 2, 0, 2, 2));
        Assert.Equal([0xA1A2A3u, 0xB1B2B3], Area(fb, 4, 0, 1, 2));
        Assert.Equal([0x0000FFu, 0xFF0000, 0x0000FF, 0xFF0000, 0x0000FF, 0x0000FF], Area(fb, 0, 2, 3, 2));
        Assert.Equal([0x010101u, 0x020202, 0x030303, 0x010101, 0x020202, 0x030303, 0x010101, 0x020202, 0x030303, 0x010101, 0x020202, 0x030303], Area(fb, 3, 2, 4, 3));
        Assert.Equal([0x0A141Eu, 0x141428, 0x0F191E, 0x1E0A32], Area(fb, 0, 5, 2, 2));
        Assert.Equal([0xC80000u, 0xFA0000, 0xFA0000, 0x640000], Area(fb, 2, 5, 2, 2));
    }

    [Theory]
    [InlineData(new byte[] { 0x05 }, 5)]
    [InlineData(new byte[] { 0x90, 0x4E }, 10000)]
    [InlineData(new byte[] { 0x85, 0x80, 0x01 }, 16389)]
    public void TightCompactLength_Golden_GivesLength(byte[] encoded, int expected)
    {
        // 10000 = 0x2710: low 7 bits 0x10 (with the continuation bit: 0x90), then 78 = 0x4E.
        // 16389 = 2^14 + 5: 0x85, 0x80, 0x01.
        var input = new RfbInput(new MemoryStream(encoded));
        Assert.Equal(expected, TightDecoder.TightCompactLength(input));
        Assert.Equal(encoded.Length, input.Position);
    }

    [Fact]
    public void Tight_UndefinedControlOrPngInTight_Throws()
    {
        Assert.Throws<InvalidDataException>(() => DecodeAll(new TightDecoder(EncodingType.Tight), new List<byte> { 0xB0 }, 2, [(0, 0, 2, 2)]));
        var ex = Assert.Throws<InvalidDataException>(() => DecodeAll(new TightDecoder(EncodingType.Tight), new List<byte> { 0xA0, 0 }, 2, [(0, 0, 2, 2)]));
        Assert.Contains("TightPNG", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TightPng_NetpbmPalettedAndRgbPictures_GivesPixels()
    {
        // 4x3 with 3 colours (pnmtopng writes a palette, 2 bits a pixel) and 3x2 with 6 colours
        // forced to RGB with Paeth filtering.
        uint[] few = [0xFF0000, 0x00FF00, 0x0000FF, 0xFF0000, 0x00FF00, 0x0000FF, 0xFF0000, 0x00FF00, 0x0000FF, 0xFF0000, 0x00FF00, 0x0000FF];
        uint[] many = [0xFF0000, 0x00FF00, 0x0000FF, 0x010203, 0xFA8007, 0x090909];
        byte[] palettePng = await NetpbmAsync("pnmtopng", Ppm(4, 3, few), []);
        byte[] rgbPng = await NetpbmAsync("pnmtopng", Ppm(3, 2, many), ["-force", "-paeth"]);
        Assert.Equal(3, palettePng[25]); // IHDR colour type: the palette path is the one tested
        Assert.Equal(2, rgbPng[25]);

        var bytes = new List<byte>();
        foreach (byte[] png in new[] { palettePng, rgbPng })
        {
            bytes.Add(0xA0);
            bytes.AddRange(CompactLength(png.Length));
            bytes.AddRange(png);
        }

        TraceFramebuffer fb = DecodeAll(new TightDecoder(EncodingType.TightPng), bytes, 8, [(0, 0, 4, 3), (5, 0, 3, 2)], height: 3);
        Assert.Equal(few, Area(fb, 0, 0, 4, 3));
        Assert.Equal(many, Area(fb, 5, 0, 3, 2));
    }

    [Fact]
    public async Task Tight_NetpbmJpeg_DecodesCloseToTheSource()
    {
        // A smooth 32x16 gradient through pnmtojpeg at quality 100: TurboJPEG's pixels must be
        // within a few levels of the source (JPEG is lossy; exactness is not expected).
        uint[] source = new uint[32 * 16];
        for (int y = 0; y < 16; y++)
        {
            for (int x = 0; x < 32; x++)
            {
                source[(y * 32) + x] = ((uint)(x * 8) << 16) | ((uint)(y * 16) << 8) | 0x80;
            }
        }

        byte[] jpeg = await NetpbmAsync("pnmtojpeg", Ppm(32, 16, source), ["-quality=100"]);
        var bytes = new List<byte> { 0x90 };
        bytes.AddRange(CompactLength(jpeg.Length));
        bytes.AddRange(jpeg);
        var decoder = new TightDecoder(EncodingType.Tight);
        TraceFramebuffer fb = DecodeAll(decoder, bytes, 32, [(0, 0, 32, 16)], height: 16);
        Assert.Equal(1, decoder.JpegRectangles);
        uint[] actual = Area(fb, 0, 0, 32, 16);
        for (int i = 0; i < source.Length; i++)
        {
            for (int shift = 0; shift < 24; shift += 8)
            {
                int d = Math.Abs((int)((source[i] >> shift) & 0xFF) - (int)((actual[i] >> shift) & 0xFF));
                Assert.True(d <= 6, $"pixel {i}: 0x{actual[i]:X6} for 0x{source[i]:X6}");
            }
        }
    }

    [Fact]
    public void Psnr_OneLevelOffInOneSample_IsHandComputed()
    {
        // 1x1, one of 3 samples off by 1: MSE 1/3, PSNR = 10 log10(255^2 * 3) = 52.9 dB.
        var a = new TraceFramebuffer(1, 1);
        var b = new TraceFramebuffer(1, 1);
        a.WriteRaw(0, 0, 1, 1, [10, 20, 30, 0]);
        b.WriteRaw(0, 0, 1, 1, [11, 20, 30, 0]);
        Assert.Equal(52.90, BenchRunner.Psnr(a, b), 2);
        Assert.Equal(double.PositiveInfinity, BenchRunner.Psnr(a, a));
    }

    [Fact]
    public void Hextile_EverySubencodingAndBackgroundCarriedOver_GivesPixels()
    {
        const uint a = 0x00112233, b = 0x00445566, c = 0x00778899;
        var bytes = new List<byte>();
        // 20x3: two tiles, 16x3 then 4x3. Tile 1: background a, foreground b, two subrects in the
        // foreground: (1,0) 2x1 and (15,2) 1x1.
        bytes.Add(2 | 4 | 8);
        bytes.AddRange(Le(a));
        bytes.AddRange(Le(b));
        bytes.AddRange([2, 0x10, 0x10, 0xF2, 0x00]);
        // Tile 2: background carried over, one coloured subrect c at (3,1) 1x2.
        bytes.AddRange([8 | 16, 1]);
        bytes.AddRange(Le(c));
        bytes.AddRange([0x31, 0x01]);
        // A second rectangle, 2x1, as a raw tile.
        bytes.Add(1);
        bytes.AddRange(Le(c));
        bytes.AddRange(Le(a));

        TraceFramebuffer fb = DecodeAll(new HextileDecoder(), bytes, 20, [(0, 0, 20, 3), (0, 3, 2, 1)]);
        Assert.Equal([a, b, b, a], Area(fb, 0, 0, 4, 1));
        Assert.Equal([a, b], Area(fb, 14, 2, 2, 1));
        Assert.Equal([a, a, a, a, a, a, a, c, a, a, a, c], Area(fb, 16, 0, 4, 3));
        Assert.Equal([c, a], Area(fb, 0, 3, 2, 1));
    }

    [Fact]
    public void Raw_TwoRows_GivesPixels()
    {
        var bytes = new List<byte>();
        foreach (uint p in new uint[] { 1, 2, 3, 4, 5, 6 })
        {
            bytes.AddRange(Le(p));
        }

        TraceFramebuffer fb = DecodeAll(new RawDecoder(), bytes, 3, [(0, 1, 3, 2)]);
        Assert.Equal([1u, 2, 3, 4, 5, 6], Area(fb, 0, 1, 3, 2));
    }

    [Fact]
    public void Framing_UnknownEncodingOrUndefinedPayload_ThrowsClearly()
    {
        var ex = Assert.Throws<InvalidDataException>(() => PayloadFraming.Skip(new RfbInput(new MemoryStream([0, 0, 0, 0])), 12345, 2, 2));
        Assert.Contains("encoding 12345", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InvalidDataException>(() => PayloadFraming.Skip(new RfbInput(new MemoryStream([0xB0])), EncodingType.Tight, 2, 2));
        Assert.Contains("0xB0", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InvalidDataException>(() => PayloadFraming.Skip(new RfbInput(new MemoryStream([0xA0, 0])), EncodingType.Tight, 2, 2));
        Assert.Contains("TightPNG", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InvalidDataException>(() => PayloadFraming.Skip(new RfbInput(new MemoryStream([0x40, 3])), EncodingType.Tight, 2, 2));
        Assert.Contains("filter 3", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InvalidDataException>(() => PayloadFraming.Skip(new RfbInput(new MemoryStream([0x7F, 0xFF, 0xFF, 0xFF])), EncodingType.Zrle, 2, 2));
        Assert.Contains("ZRLE", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EncodingType.Raw, new byte[] { 1, 2, 3, 4, 5, 6, 7 })]
    [InlineData(EncodingType.Zrle, new byte[] { 0, 0, 0, 9, 1, 2, 3 })]
    [InlineData(EncodingType.Tight, new byte[] { 0x00, 0x85, 0x01, 1, 2 })]
    [InlineData(EncodingType.Hextile, new byte[] { 2 | 8, 1, 2, 3, 4, 3, 0 })]
    public void Framing_PayloadCutShort_ThrowsEndOfStream(int encoding, byte[] payload)
    {
        // Raw 2x1 needs 8 bytes; ZRLE claims 9 after its length; Tight copy data of 2x2 (12 bytes)
        // claims 133; Hextile's three subrects need 6 bytes. Each ends short.
        Assert.Throws<EndOfStreamException>(() => PayloadFraming.Skip(new RfbInput(new MemoryStream(payload)), encoding, 2, 1 + (encoding == EncodingType.Tight ? 1 : 0)));
    }

    /// <summary>
    /// Decodes <paramref name="rects"/> one after the other from <paramref name="bytes"/>, and
    /// checks that the client's framing (<see cref="PayloadFraming"/>), which finds where each
    /// payload ends without decoding it, ends every rectangle exactly where its decoding ended.
    /// </summary>
    private static TraceFramebuffer DecodeAll(IRectangleDecoder decoder, List<byte> bytes, int width, List<(int X, int Y, int W, int H)> rects, int height = 4)
    {
        var fb = new TraceFramebuffer(width, height);
        byte[] all = bytes.ToArray();
        var input = new RfbInput(new MemoryStream(all));
        var framed = new RfbInput(new MemoryStream(all));
        foreach ((int x, int y, int w, int h) in rects)
        {
            PayloadFraming.Skip(framed, decoder.Encoding, w, h);
            decoder.Decode(input, x, y, w, h, fb);
            Assert.Equal(input.Position, framed.Position);
        }

        Assert.Equal(all.Length, input.Position);
        return fb;
    }

    private static byte[] Le(uint p) => [(byte)p, (byte)(p >> 8), (byte)(p >> 16), (byte)(p >> 24)];

    private static uint[] Area(TraceFramebuffer fb, int x, int y, int w, int h)
    {
        var result = new uint[w * h];
        for (int r = 0; r < h; r++)
        {
            for (int c = 0; c < w; c++)
            {
                result[(r * w) + c] = fb.GetPixel(x + c, y + r) & 0xFFFFFF;
            }
        }

        return result;
    }

    private static void Zrle(List<byte> bytes, ZlibChunks z, byte[] tiles)
    {
        byte[] c = z.Chunk(tiles);
        bytes.AddRange(U32(c.Length));
        bytes.AddRange(c);
    }

    private static void Compressed(List<byte> bytes, ZlibChunks z, byte[] data)
    {
        byte[] c = z.Chunk(data);
        bytes.AddRange(CompactLength(c.Length));
        bytes.AddRange(c);
    }

    private static byte[] CompactLength(int n) =>
        n < 0x80 ? [(byte)n] : n < 0x4000 ? [(byte)(n | 0x80), (byte)(n >> 7)] : [(byte)(n | 0x80), (byte)((n >> 7) | 0x80), (byte)(n >> 14)];

    private static byte[] U32(int n) => [(byte)(n >> 24), (byte)(n >> 16), (byte)(n >> 8), (byte)n];

    private static byte[] Ppm(int width, int height, uint[] pixels)
    {
        var header = Encoding.ASCII.GetBytes($"P6\n{width} {height}\n255\n");
        var result = new byte[header.Length + (pixels.Length * 3)];
        header.CopyTo(result, 0);
        for (int i = 0; i < pixels.Length; i++)
        {
            result[header.Length + (i * 3)] = (byte)(pixels[i] >> 16);
            result[header.Length + (i * 3) + 1] = (byte)(pixels[i] >> 8);
            result[header.Length + (i * 3) + 2] = (byte)pixels[i];
        }

        return result;
    }

    private static async Task<byte[]> NetpbmAsync(string tool, byte[] ppm, string[] options)
    {
        string executable = RequiredTool.Locate(tool, "netpbm");
        DirectoryInfo dir = Directory.CreateTempSubdirectory("tracebench-netpbm-");
        try
        {
            string path = Path.Combine(dir.FullName, "in.ppm");
            File.WriteAllBytes(path, ppm);
            ToolResult result = await ToolProcess.RunAsync(executable, options.Append(path), s_toolTimeout, null, TestContext.Current.CancellationToken);
            Assert.True(result.ExitCode == 0, result.Describe());
            return result.StandardOutput;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>One zlib stream; each chunk ends with a sync flush, as a server ends each rectangle.</summary>
    private sealed class ZlibChunks
    {
        private readonly MemoryStream _output = new();
        private readonly ZLibStream _zlib;

        public ZlibChunks()
        {
            _zlib = new ZLibStream(_output, CompressionLevel.Optimal, leaveOpen: true);
        }

        public byte[] Chunk(byte[] data)
        {
            _zlib.Write(data);
            _zlib.Flush();
            byte[] chunk = _output.ToArray();
            _output.SetLength(0);
            return chunk;
        }
    }
}
