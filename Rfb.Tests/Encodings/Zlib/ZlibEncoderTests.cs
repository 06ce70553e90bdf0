using System.Buffers;
using Rfb.Encodings;
using Rfb.Encodings.Zlib;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Zlib;

public sealed class ZlibEncoderTests
{
    private static readonly PixelTranslator s_canonical = new(PixelFormat.Canonical);

    [Fact]
    public void Encode_TwoPixels_CompressesRawPixelData()
    {
        using var encoder = new ZlibEncoder();
        var output = new ArrayBufferWriter<byte>();
        int count = encoder.Encode(new PixelView([0x00112233, 0x00445566], 2, 2, 1), 3, 4, s_canonical, new EncodeSettings(), output);

        Assert.Equal(1, count);
        EncodedRectangle rectangle = EncodedRectangle.ReadSingle(output.WrittenSpan);
        Assert.Equal((3, 4, 2, 1, 6), (rectangle.X, rectangle.Y, rectangle.Width, rectangle.Height, rectangle.Encoding));
        using var inflater = new ZlibTestInflater();
        inflater.Append(rectangle.Data);
        // Raw data in the canonical format: each pixel as a little-endian 32-bit word.
        Assert.Equal([0x33, 0x22, 0x11, 0x00, 0x66, 0x55, 0x44, 0x00], inflater.Read(8));
        Assert.Throws<EndOfStreamException>(() => inflater.Read(1));
    }

    [Fact]
    public void Encode_Rgb565BigEndian_CompressesTwoBytePixels()
    {
        var translator = new PixelTranslator(new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0));
        using var encoder = new ZlibEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(new PixelView([0x00FF0000, 0x000000FF], 1, 1, 2), 0, 0, translator, new EncodeSettings(), output);

        using var inflater = new ZlibTestInflater();
        inflater.Append(EncodedRectangle.ReadSingle(output.WrittenSpan).Data);
        // Red 31 << 11 = 0xF800, blue 31 = 0x001F, big-endian.
        Assert.Equal([0xF8, 0x00, 0x00, 0x1F], inflater.Read(4));
    }

    [Fact]
    public void Encode_SecondRectangle_ContinuesTheStream()
    {
        ImageRgb noise = EncoderTestContent().Crop(600, 0, 100, 40);
        var view = new PixelView(noise.Pixels, 100, 100, 40);
        byte[] expected = new byte[100 * 40 * 4];
        s_canonical.TranslateRow(noise.Pixels, expected);
        using var encoder = new ZlibEncoder();
        using var inflater = new ZlibTestInflater();

        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(view, 0, 0, s_canonical, new EncodeSettings { CompressLevel = 6 }, output);
        EncodedRectangle first = EncodedRectangle.ReadSingle(output.WrittenSpan);
        output.ResetWrittenCount();
        encoder.Encode(view, 0, 0, s_canonical, new EncodeSettings { CompressLevel = 6 }, output);
        EncodedRectangle second = EncodedRectangle.ReadSingle(output.WrittenSpan);

        // The second copy is mostly back-references into the first; no second zlib header.
        Assert.True(second.Data.Length < first.Data.Length / 4, $"second {second.Data.Length} bytes, first {first.Data.Length}");
        Assert.Equal(6, encoder.ZlibLevel);
        inflater.Append(first.Data);
        Assert.Equal(expected, inflater.Read(expected.Length));
        inflater.Append(second.Data);
        Assert.Equal(expected, inflater.Read(expected.Length));
    }

    [Fact]
    public void Encode_EmptyRectangle_WritesHeaderAndDecodableEmptyData()
    {
        using var encoder = new ZlibEncoder();
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(new PixelView([], 0, 0, 0), 9, 9, s_canonical, new EncodeSettings(), output);
        encoder.Encode(new PixelView([0x00010203], 1, 1, 1), 9, 9, s_canonical, new EncodeSettings(), output);

        int offset = 0;
        EncodedRectangle empty = EncodedRectangle.ReadLengthPrefixed(output.WrittenSpan, ref offset);
        EncodedRectangle one = EncodedRectangle.ReadLengthPrefixed(output.WrittenSpan, ref offset);
        Assert.Equal((0, 0), (empty.Width, empty.Height));
        using var inflater = new ZlibTestInflater();
        inflater.Append(empty.Data);
        inflater.Append(one.Data);
        Assert.Equal([0x03, 0x02, 0x01, 0x00], inflater.Read(4));
    }

    private static ImageRgb EncoderTestContent() => Zrle.EncoderTestContent.Mixed(800, 40, 5);
}
