using System.Buffers;
using Rfb.Encodings;
using Rfb.Encodings.Hextile;
using Rfb.Encodings.Tight;
using Rfb.Encodings.Zrle;

namespace Rfb.Tests.Encodings;

/// <summary>
/// A batch of rectangles gives the rectangles and lossy flags of one call per rectangle on a
/// single-threaded encoder, for any thread count: the encoders that spread a batch over threads
/// (Tight, TightPNG, ZRLE) keep their zlib streams in the rectangles' order. On one thread, and
/// for TightPNG and Hextile on any, the bytes are the same. Tight and ZRLE on several threads
/// may compress a large call's zlib data in segments at once (<c>DeflateSegments</c>), so there
/// the bytes differ but a client decodes the same pixels, and the same thread count gives the
/// same bytes again.
/// </summary>
public sealed class EncodeBatchTests
{
    private const int Width = 640;
    private const int Height = 480;

    private static readonly PixelTranslator s_canonical = new(PixelFormat.Canonical);

    /// <summary>Solid background, 2-colour text, stripes, a gradient and noise, changed by <paramref name="seed"/>.</summary>
    private static uint[] Surface(int seed)
    {
        var pixels = new uint[Width * Height];
        var random = new Random(seed);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                uint p = 0x00_20_40_60;
                if (y < 120)
                {
                    p = ((x + seed) * 7 / 3 ^ (y * 5 / 2)) % 5 == 0 ? 0u : 0x00_FF_FF_FFu;
                }
                else if (y < 200)
                {
                    p = (uint)((x + seed) / 3 % 5) * 0x00_30_20_10u;
                }
                else if (y >= 280 && x < 320)
                {
                    p = (uint)((x * 255 / 320) << 16 | (y - 280) * 255 / 200 << 8 | 0x40);
                }
                else if (y >= 280)
                {
                    p = (uint)random.Next(0x100_0000);
                }

                pixels[(y * Width) + x] = p;
            }
        }

        return pixels;
    }

    // Many small rectangles, some large ones, a solid one, a 1x1 and one of the whole surface.
    private static BatchRect[] Rects(int seed)
    {
        var random = new Random(seed);
        var rects = new List<BatchRect>
        {
            new(0, 0, Width, Height, 0, 0),
            new(5, 300, 1, 1, 5, 300),
            new(400, 210, 200, 60, 1000, 10),
        };
        for (int i = 0; i < 40; i++)
        {
            int w = random.Next(1, 160);
            int h = random.Next(1, 130);
            int x = random.Next(0, Width - w);
            int y = random.Next(0, Height - h);
            rects.Add(new BatchRect(x, y, w, h, x + 7, y + 3));
        }

        return [.. rects];
    }

    public static TheoryData<string, int, int> Cases => new()
    {
        { "tight", -1, 1 },
        { "tight", -1, 2 },
        { "tight", -1, 4 },
        { "tight", 8, 2 },
        { "tightpng", 8, 3 },
        { "zrle", -1, 1 },
        { "zrle", -1, 2 },
        { "zrle", -1, 4 },
        { "hextile", -1, 1 },
    };

    private static IRectangleEncoder Create(string encoding, int threads) => encoding switch
    {
        "tight" => new TightEncoder(threads),
        "tightpng" => new TightPngEncoder(threads),
        "zrle" => new ZrleEncoder(threads),
        _ => new HextileEncoder(),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodeBatch_AnyThreads_SameRectanglesFlagsAndPixelsAsOneCallPerRectangle(string encoding, int quality, int threads)
    {
        var settings = new EncodeSettings { CompressLevel = 2, QualityLevel = quality };
        using IRectangleEncoder sequential = Create(encoding, 1);
        using IRectangleEncoder batched = Create(encoding, threads);
        var expected = new ArrayBufferWriter<byte>();
        var actual = new ArrayBufferWriter<byte>();
        int expectedCount = 0;
        int actualCount = 0;
        var expectedLossy = new List<bool>();
        var actualLossy = new List<bool>();

        // Two updates on the same encoders: the zlib streams carry over between batches.
        for (int update = 0; update < 2; update++)
        {
            uint[] pixels = Surface(update);
            var surface = new PixelView(pixels, Width, Width, Height);
            BatchRect[] rects = Rects(update);
            foreach (BatchRect r in rects)
            {
                expectedCount += sequential.Encode(surface.Slice(r.SourceX, r.SourceY, r.Width, r.Height), r.X, r.Y, s_canonical, settings, expected);
                expectedLossy.Add(sequential.LastEncodeWasLossy);
            }

            var lossy = new bool[rects.Length];
            actualCount += batched.EncodeBatch(surface, rects, s_canonical, settings, actual, lossy);
            actualLossy.AddRange(lossy);
        }

        Assert.Equal(expectedCount, actualCount);
        Assert.Equal(expectedLossy, actualLossy);
        if (quality >= 0 && encoding != "zrle")
        {
            Assert.Contains(true, expectedLossy); // the noise went out as JPEG, so the flags were tested
        }

        if (threads == 1 || encoding is "tightpng" or "hextile")
        {
            Assert.Equal(expected.WrittenCount, actual.WrittenCount);
            Assert.True(expected.WrittenSpan.SequenceEqual(actual.WrittenSpan));
            return;
        }

        // What a client sees is the same, pixel for pixel (the JPEG rectangles are the same bytes).
        int type = encoding == "tight" ? EncodingType.Tight : EncodingType.Zrle;
        byte[] seen = ClientDecoding.Decode(expected.WrittenSpan, type, 1300, 600).Pixels;
        Assert.Equal(seen, ClientDecoding.Decode(actual.WrittenSpan, type, 1300, 600).Pixels);

        // The same thread count gives the same bytes.
        using IRectangleEncoder again = Create(encoding, threads);
        var repeat = new ArrayBufferWriter<byte>();
        for (int update = 0; update < 2; update++)
        {
            uint[] pixels = Surface(update);
            BatchRect[] rects = Rects(update);
            again.EncodeBatch(new PixelView(pixels, Width, Width, Height), rects, s_canonical, settings, repeat, new bool[rects.Length]);
        }

        Assert.True(actual.WrittenSpan.SequenceEqual(repeat.WrittenSpan));
    }

    [Fact]
    public void EncodeBatch_FewerLossyFlagsThanRectangles_Throws()
    {
        using var encoder = new ZrleEncoder(2);
        uint[] pixels = Surface(0);
        Assert.Throws<ArgumentException>(() => encoder.EncodeBatch(new PixelView(pixels, Width, Width, Height), Rects(0), s_canonical, new EncodeSettings(), new ArrayBufferWriter<byte>(), new bool[3]));
    }
}
