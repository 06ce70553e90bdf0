using System.Buffers;
using Rfb.Encodings;
using Rfb.Encodings.Tight;
using Rfb.Encodings.Zrle;
using Rfb.Recording;

namespace Rfb.Tests.Encodings;

/// <summary>
/// On several threads, Tight and ZRLE cut a call's zlib data into segments of equal expected
/// time, from how well each area of the screen compressed before (<c>CompressionRatioMap</c>):
/// a frame whose top half repeats (compresses well, fast) and whose bottom half is noise
/// (compresses badly, slowly) gives the first segment more of the bytes once the map has seen it,
/// and a client still decodes every pixel.
/// </summary>
public sealed class WeightedSegmentsTests
{
    private const int Width = 1280;
    private const int Height = 720;

    private static readonly PixelTranslator s_canonical = new(PixelFormat.Canonical);

    /// <summary>Top half: 64 pixels of noise repeated along each row, seven such rows in turn; bottom half: noise.</summary>
    private static uint[] Frame()
    {
        var random = new Random(5);
        var tile = new uint[64 * 7];
        for (int i = 0; i < tile.Length; i++)
        {
            tile[i] = (uint)random.Next(0x100_0000);
        }

        var pixels = new uint[Width * Height];
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                pixels[(y * Width) + x] = y < Height / 2 ? tile[(x % 64) + (64 * (y % 7))] : (uint)random.Next(0x100_0000);
            }
        }

        return pixels;
    }

    /// <summary>Encodes the whole frame in one call.</summary>
    private static void EncodeWhole(IRectangleEncoder encoder, uint[] pixels, EncodeSettings settings, ArrayBufferWriter<byte> output) =>
        encoder.EncodeBatch(new PixelView(pixels, Width, Width, Height), [new BatchRect(0, 0, Width, Height, 0, 0)], s_canonical, settings, output, new bool[1]);

    private static void AssertDecodesTo(uint[] pixels, TraceFramebuffer seen)
    {
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                if ((seen.GetPixel(x, y) & 0xFF_FF_FF) != pixels[(y * Width) + x])
                {
                    Assert.Fail($"pixel ({x}, {y}): {seen.GetPixel(x, y):X8} against {pixels[(y * Width) + x]:X8}");
                }
            }
        }
    }

    private static void AssertFirstSegmentTakesMost(IReadOnlyList<long> segments, string what)
    {
        Assert.Equal(2, segments.Count);
        double share = segments[0] / (double)(segments[0] + segments[1]);
        Assert.True(share > 0.6, $"{what}: the first segment holds {share:P0} of the data");
    }

    [Fact]
    public void Tight_SecondCall_CutsTheCheapTopAndTheDearBottomAtEqualTime()
    {
        uint[] pixels = Frame();
        var settings = new EncodeSettings { CompressLevel = 2, QualityLevel = -1 };
        using var encoder = new TightEncoder(2);
        var output = new ArrayBufferWriter<byte>();

        // The first call has no data per pixel to go by, so it is not cut; it fills the map.
        EncodeWhole(encoder, pixels, settings, output);
        Assert.Empty(encoder.LastFullColourSegmentLengths);
        EncodeWhole(encoder, pixels, settings, output);
        AssertFirstSegmentTakesMost(encoder.LastFullColourSegmentLengths, "Tight");

        AssertDecodesTo(pixels, ClientDecoding.Decode(output.WrittenSpan, EncodingType.Tight, Width, Height));
    }

    [Fact]
    public void Zrle_ThirdCall_CutsTheCheapTopAndTheDearBottomAtEqualTime()
    {
        uint[] pixels = Frame();
        var settings = new EncodeSettings { CompressLevel = 2 };
        using var encoder = new ZrleEncoder(2);
        var output = new ArrayBufferWriter<byte>();

        // The first call is not cut (no data per pixel yet); the second is cut at equal bytes,
        // as nothing is known of the areas, and records each segment's ratio; the third is cut
        // by those.
        EncodeWhole(encoder, pixels, settings, output);
        Assert.Empty(encoder.LastSegmentLengths);
        EncodeWhole(encoder, pixels, settings, output);
        Assert.Equal(2, encoder.LastSegmentLengths.Count);
        Assert.InRange(encoder.LastSegmentLengths[0] - encoder.LastSegmentLengths[1], -1, 1);
        EncodeWhole(encoder, pixels, settings, output);
        AssertFirstSegmentTakesMost(encoder.LastSegmentLengths, "ZRLE");

        AssertDecodesTo(pixels, ClientDecoding.Decode(output.WrittenSpan, EncodingType.Zrle, Width, Height));
    }
}
