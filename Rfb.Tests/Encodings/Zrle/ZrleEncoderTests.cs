using System.Buffers;
using System.IO.Compression;
using Rfb.Encodings;
using Rfb.Encodings.Zrle;
using Rfb.Tests.Encodings.Zlib;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Zrle;

public sealed class ZrleEncoderTests
{
    private static readonly PixelTranslator s_canonical = new(PixelFormat.Canonical);

    // Encodes one rectangle and returns it parsed, checking the header.
    private static EncodedRectangle EncodeOne(ZrleEncoder encoder, uint[] pixels, int width, int height, PixelTranslator translator, int x = 5, int y = 7)
    {
        var output = new ArrayBufferWriter<byte>();
        int count = encoder.Encode(new PixelView(pixels, width, width, height), x, y, translator, new EncodeSettings(), output);
        Assert.Equal(1, count);
        EncodedRectangle rectangle = EncodedRectangle.ReadSingle(output.WrittenSpan);
        Assert.Equal((x, y, width, height, EncodingType.Zrle), (rectangle.X, rectangle.Y, rectangle.Width, rectangle.Height, rectangle.Encoding));
        return rectangle;
    }

    // The tile data of a single-rectangle session, inflated by .NET's inflater.
    private static byte[] InflateAll(EncodedRectangle rectangle)
    {
        using var zlib = new ZLibStream(new MemoryStream(rectangle.Data), CompressionMode.Decompress);
        var inflated = new MemoryStream();
        zlib.CopyTo(inflated);
        return inflated.ToArray();
    }

    [Fact]
    public void Encode_SolidTwoByTwo_WritesSolidSubencoding()
    {
        using var encoder = new ZrleEncoder();
        EncodedRectangle rectangle = EncodeOne(encoder, [0x00112233, 0x00112233, 0x00112233, 0x00112233], 2, 2, s_canonical);

        // Subencoding 1 and one CPIXEL: canonical format is little-endian with every colour bit
        // in the low three bytes, so the CPIXEL is the low three bytes, least significant first.
        Assert.Equal([0x01, 0x33, 0x22, 0x11], InflateAll(rectangle));
    }

    [Fact]
    public void Encode_TwoColours_WritesPackedPaletteWithRowsPaddedToBytes()
    {
        const uint a = 0x00FF0000;
        const uint b = 0x000000FF;
        using var encoder = new ZrleEncoder();
        EncodedRectangle rectangle = EncodeOne(encoder, [a, b, a, a, b, b, b, a], 4, 2, s_canonical);

        // Runs A1 B1 A2 B3 A1. Sizes with 3-byte CPIXELs: raw 24, plain RLE 5*3+5 = 20,
        // palette RLE 2*3 + (1+1+2+2+1) = 13, packed 2*3 + 2 rows * 1 byte = 8: packed wins.
        // Palette ordered by colour value: B (0x0000FF, CPIXEL FF 00 00) = 0, A (0xFF0000, CPIXEL
        // 00 00 FF) = 1; 1 bit per index, MSB first: row 0 = ABAA = 1011 -> 0xB0, row 1 = BBBA =
        // 0001 -> 0x10.
        Assert.Equal([0x02, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xB0, 0x10], InflateAll(rectangle));
    }

    [Fact]
    public void Encode_DistinctColouredRuns_WritesPlainRle()
    {
        // A 64x8 tile: runs of 1, 2, 256 and 253 pixels, each its own colour (runs continue across rows).
        var pixels = new uint[64 * 8];
        pixels.AsSpan(0, 1).Fill(0x00010203);
        pixels.AsSpan(1, 2).Fill(0x00040506);
        pixels.AsSpan(3, 256).Fill(0x00070809);
        pixels.AsSpan(259, 253).Fill(0x000A0B0C);
        using var encoder = new ZrleEncoder();
        EncodedRectangle rectangle = EncodeOne(encoder, pixels, 64, 8, s_canonical);

        // Sizes: packed 4*3 + 8 rows * 16 bytes = 140, palette RLE 4*3 + 1 + 2 + 3 + 2 = 20,
        // plain RLE 4*3 + 1 + 1 + 2 + 1 = 17: plain RLE (128). Run length bytes are length - 1 as
        // 255s and a final byte below 255: 1 -> 00, 2 -> 01, 256 -> FF 00, 253 -> FC.
        byte[] expected =
        [
            0x80,
            0x03, 0x02, 0x01, 0x00,
            0x06, 0x05, 0x04, 0x01,
            0x09, 0x08, 0x07, 0xFF, 0x00,
            0x0C, 0x0B, 0x0A, 0xFC,
        ];
        Assert.Equal(expected, InflateAll(rectangle));
    }

    [Fact]
    public void Encode_FewColoursLongRuns_WritesPaletteRle()
    {
        // A 64x4 tile: white 100, black 100, white 1, black 55.
        var pixels = new uint[64 * 4];
        pixels.AsSpan(0, 100).Fill(0x00FFFFFF);
        pixels.AsSpan(100, 100).Fill(0x00000000);
        pixels.AsSpan(200, 1).Fill(0x00FFFFFF);
        pixels.AsSpan(201, 55).Fill(0x00000000);
        using var encoder = new ZrleEncoder();
        EncodedRectangle rectangle = EncodeOne(encoder, pixels, 64, 4, s_canonical);

        // Sizes: packed 2*3 + 4 rows * 8 bytes = 38, plain RLE 4*3 + 4 = 16,
        // palette RLE 2*3 + (1+1) + (1+1) + 1 + (1+1) = 13: palette RLE, subencoding 128 + 2.
        // The palette is ordered by colour value: black = 0, white = 1. A run of one is the bare
        // index; longer runs set bit 7 and add the length: 100 -> 0x63, 55 -> 0x36.
        byte[] expected = [0x82, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x81, 0x63, 0x80, 0x63, 0x01, 0x80, 0x36];
        Assert.Equal(expected, InflateAll(rectangle));
    }

    public static TheoryData<PixelFormat, byte[]> CompactPixelCases => new()
    {
        // Canonical: little-endian, colour bits in the low three bytes -> 3-byte CPIXEL, low bytes first.
        { PixelFormat.Canonical, [0x01, 0x33, 0x22, 0x11] },
        // Big-endian, same shifts: the low three bytes, most significant first.
        { PixelFormat.Canonical with { BigEndian = true }, [0x01, 0x11, 0x22, 0x33] },
        // Big-endian with red at 24: colour bits in the high three bytes, which a big-endian pixel sends first.
        { PixelFormat.Canonical with { BigEndian = true, RedShift = 24, GreenShift = 16, BlueShift = 8 }, [0x01, 0x11, 0x22, 0x33] },
        // Little-endian with red at 24: the high three bytes in little-endian order.
        { PixelFormat.Canonical with { RedShift = 24, GreenShift = 16, BlueShift = 8 }, [0x01, 0x33, 0x22, 0x11] },
        // Depth 32: no CPIXEL reduction (RFC 6143 requires depth 24 or less), the full 4-byte pixel.
        { PixelFormat.Canonical with { Depth = 32 }, [0x01, 0x33, 0x22, 0x11, 0x00] },
        // 16 bpp RGB565 little-endian: (0x11*31+127)/255 = 2, (0x22*63+127)/255 = 8, (0x33*31+127)/255 = 6
        // -> 2<<11 | 8<<5 | 6 = 0x1106, sent as 06 11.
        { new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0), [0x01, 0x06, 0x11] },
    };

    [Theory]
    [MemberData(nameof(CompactPixelCases))]
    public void Encode_SolidTileInFormat_WritesCpixelOfThatFormat(PixelFormat format, byte[] expected)
    {
        using var encoder = new ZrleEncoder();
        EncodedRectangle rectangle = EncodeOne(encoder, [0x00112233], 1, 1, new PixelTranslator(format));
        Assert.Equal(expected, InflateAll(rectangle));
    }

    [Fact]
    public void Encode_SecondRectangle_DecodesOnlyWithTheFirstsDictionary()
    {
        // 64x64 noise: over 127 colours and no runs, so raw tiles the deflater can only shrink by
        // pointing back into the first rectangle's data.
        ImageRgb noise = EncoderTestContent.Mixed(800, 64, 1).Crop(600, 0, 64, 64);
        using var encoder = new ZrleEncoder();
        EncodedRectangle first = EncodeOne(encoder, noise.Pixels, 64, 64, s_canonical);
        EncodedRectangle second = EncodeOne(encoder, noise.Pixels, 64, 64, s_canonical);
        Assert.True(second.Data.Length < first.Data.Length / 4, $"second rectangle {second.Data.Length} bytes, first {first.Data.Length}");

        // Each rectangle inflates in full from its own bytes on the continuing stream (sync flush).
        byte[] expected = new byte[1 + 64 * 64 * 3];
        s_canonical.TranslateRowCompact(noise.Pixels, expected.AsSpan(1));
        using var inflater = new ZlibTestInflater();
        inflater.Append(first.Data);
        Assert.Equal(expected, inflater.Read(expected.Length));
        inflater.Append(second.Data);
        Assert.Equal(expected, inflater.Read(expected.Length));

        // Without the first rectangle's dictionary the second does not decode (it has no zlib
        // header either, so read it as raw deflate).
        byte[] alone = new byte[expected.Length];
        bool decodedAlone;
        try
        {
            using var raw = new DeflateStream(new MemoryStream(second.Data), CompressionMode.Decompress);
            int got = raw.ReadAtLeast(alone, alone.Length, throwOnEndOfStream: false);
            decodedAlone = got == alone.Length && alone.AsSpan().SequenceEqual(expected);
        }
        catch (InvalidDataException)
        {
            decodedAlone = false;
        }

        Assert.False(decodedAlone);
    }

    [Theory]
    // Zlib levels from ZrleEncoder.ZlibLevelFor's documented table (1, 1, 4, 5, 6, 6, 7, 8, 9, 9);
    // the zlib header's FLEVEL (RFC 1950) is 0 for levels 0..1, 1 for 2..5, 2 for 6, 3 for 7..9.
    [InlineData(1, 1, 0)]
    [InlineData(2, 4, 1)]
    [InlineData(3, 5, 1)]
    [InlineData(4, 6, 2)]
    [InlineData(6, 7, 3)]
    [InlineData(9, 9, 3)]
    [InlineData(0, 1, 0)] // compress level 0 is zlib level 1 (zlib's level 0 only stores)
    [InlineData(-1, 6, 2)] // none named: zlib's default level, as TigerVNC's and libvncserver's ZRLE
    public void Encode_CompressLevel_ReachesZlibHeader(int compressLevel, int zlibLevel, int flevel)
    {
        using var encoder = new ZrleEncoder();
        var output = new ArrayBufferWriter<byte>();
        var settings = compressLevel < 0 ? new EncodeSettings() : new EncodeSettings { CompressLevel = compressLevel };
        Assert.Equal(compressLevel >= 0, settings.CompressLevelNamed);
        encoder.Encode(new PixelView([0x00112233], 1, 1, 1), 0, 0, s_canonical, settings, output);
        EncodedRectangle rectangle = EncodedRectangle.ReadSingle(output.WrittenSpan);

        // RFC 1950: CMF 0x78 (deflate, 32 KiB window); FLG's top two bits are FLEVEL.
        Assert.Equal(0x78, rectangle.Data[0]);
        Assert.Equal(flevel, rectangle.Data[1] >> 6);
        Assert.Equal(zlibLevel, encoder.ZlibLevel);
    }

    [Fact]
    public void Encode_CompressLevelChangesMidSession_KeepsStreamAndLevel()
    {
        using var encoder = new ZrleEncoder();
        using var decoder = new ZrleTestDecoder(1, 1, 3);
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(new PixelView([0x00112233], 1, 1, 1), 0, 0, s_canonical, new EncodeSettings { CompressLevel = 9 }, output);
        encoder.Encode(new PixelView([0x00445566], 1, 1, 1), 0, 0, s_canonical, new EncodeSettings { CompressLevel = 1 }, output);

        Assert.Equal(9, encoder.ZlibLevel);
        int offset = 0;
        decoder.Decode(EncodedRectangle.ReadLengthPrefixed(output.WrittenSpan, ref offset));
        decoder.Decode(EncodedRectangle.ReadLengthPrefixed(output.WrittenSpan, ref offset));
        Assert.Equal([0x66, 0x55, 0x44], decoder.Framebuffer);
    }

    public static TheoryData<string, PixelFormat> DecoderFormats => new()
    {
        { "canonical", PixelFormat.Canonical },
        { "RGB888 big-endian, red at 0", PixelFormat.Canonical with { BigEndian = true, RedShift = 0, BlueShift = 16 } },
        { "depth 32", PixelFormat.Canonical with { Depth = 32 } },
        { "RGB565 little-endian", new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0) },
        { "RGB565 big-endian", new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0) },
        { "BGR233", new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 6) },
    };

    [Theory]
    [MemberData(nameof(DecoderFormats))]
    public void Encode_MixedContentOddRectangles_DecodesToTranslatedPixels(string name, PixelFormat format)
    {
        var translator = new PixelTranslator(format);
        ImageRgb first = EncoderTestContent.Mixed(EncoderTestContent.Width, EncoderTestContent.Height, 1);
        ImageRgb second = EncoderTestContent.With(first, EncoderTestContent.Mixed(EncoderTestContent.Width, EncoderTestContent.Height, 2), EncoderTestContent.SecondFrameChanges);
        using var encoder = new ZrleEncoder();
        using var decoder = new ZrleTestDecoder(first.Width, first.Height, translator.CompactPixelBytes);

        EncodeAndDecode(encoder, decoder, first, EncoderTestContent.OddLayout, translator);
        // Every subencoding occurs (at 8 bpp a palette costs as much as plain RLE's pixels, so palette RLE rarely wins).
        int kinds = translator.BytesPerPixel > 1 ? 5 : 4;
        Assert.All(decoder.TileKinds[..kinds], count => Assert.True(count > 0, name + ": tiles per subencoding " + string.Join(", ", decoder.TileKinds)));
        Assert.True(Expected(first, translator).AsSpan().SequenceEqual(decoder.Framebuffer), name + ": first frame");
        EncodeAndDecode(encoder, decoder, second, EncoderTestContent.SecondFrameChanges, translator);
        Assert.True(Expected(second, translator).AsSpan().SequenceEqual(decoder.Framebuffer), name + ": second frame");
    }

    private static void EncodeAndDecode(ZrleEncoder encoder, ZrleTestDecoder decoder, ImageRgb image, IReadOnlyList<(int X, int Y, int Width, int Height)> layout, PixelTranslator translator)
    {
        var view = new PixelView(image.Pixels, image.Width, image.Width, image.Height);
        foreach ((int x, int y, int w, int h) in layout)
        {
            var output = new ArrayBufferWriter<byte>();
            encoder.Encode(view.Slice(x, y, w, h), x, y, translator, new EncodeSettings(), output);
            decoder.Decode(EncodedRectangle.ReadSingle(output.WrittenSpan));
        }
    }

    private static byte[] Expected(ImageRgb image, PixelTranslator translator)
    {
        var bytes = new byte[image.Pixels.Length * translator.CompactPixelBytes];
        translator.TranslateRowCompact(image.Pixels, bytes);
        return bytes;
    }
}
