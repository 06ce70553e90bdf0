using System.Buffers;
using Rfb.Encodings;
using Rfb.Encodings.Hextile;
using Rfb.Tests.Encodings.Zrle;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Hextile;

public sealed class HextileEncoderTests
{
    private const uint White = 0x00FFFFFF;
    private const uint Ink = 0x00102030;

    private static readonly PixelTranslator s_canonical = new(PixelFormat.Canonical);

    // Canonical pixels are little-endian words: white FF FF FF 00, ink 30 20 10 00.
    private static readonly byte[] s_white = [0xFF, 0xFF, 0xFF, 0x00];
    private static readonly byte[] s_ink = [0x30, 0x20, 0x10, 0x00];

    private static byte[] Encode(ImageRgb image, int x = 0, int y = 0)
    {
        using var encoder = new HextileEncoder();
        var output = new ArrayBufferWriter<byte>();
        Assert.Equal(1, encoder.Encode(new PixelView(image.Pixels, image.Width, image.Width, image.Height), x, y, s_canonical, new EncodeSettings(), output));
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Encode_TilesSharingColours_SpecifyBackgroundAndForegroundOnce()
    {
        // Three 16x16 tiles, white background: ink 4x5 at (2, 3); ink 1x1 at (16, 0); nothing.
        ImageRgb image = ImageRgb.Solid(48, 16, White);
        for (int y = 3; y < 8; y++)
        {
            for (int x = 2; x < 6; x++)
            {
                image[x, y] = Ink;
            }
        }

        image[16, 0] = Ink;

        // Tile 1: BackgroundSpecified | ForegroundSpecified | AnySubrects = 2 | 4 | 8, white, ink,
        // 1 sub-rectangle, x<<4|y = 0x23, (w-1)<<4|(h-1) = 0x34.
        // Tile 2: AnySubrects only (background and foreground carried), 1 sub-rectangle at 0,0 1x1.
        // Tile 3: solid in the carried background: mask 0.
        byte[] expected =
        [
            0x00, 0x07, 0x00, 0x09, 0x00, 0x30, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05,
            0x0E, .. s_white, .. s_ink, 0x01, 0x23, 0x34,
            0x08, 0x01, 0x00, 0x00,
            0x00,
        ];
        Assert.Equal(expected, Encode(image, 7, 9));
    }

    [Fact]
    public void Encode_TileAfterRawTile_SpecifiesBackgroundAgain()
    {
        // Tile 1 noise (256 colours: sub-rectangles would pass raw's size), tile 2 white.
        ImageRgb image = ImageRgb.Solid(32, 16, White);
        for (int y = 0; y < 16; y++)
        {
            for (int x = 0; x < 16; x++)
            {
                image[x, y] = (uint)(y * 16 + x) * 0x010305u;
            }
        }

        byte[] encoded = Encode(image);
        byte[] rawTile = new byte[16 * 16 * 4];
        s_canonical.TranslateRow(image.Crop(0, 0, 16, 16).Pixels, rawTile);
        byte[] expected = [0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05, 0x01, .. rawTile, 0x02, .. s_white];
        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void Encode_ThreeColours_WritesColouredSubrects()
    {
        ImageRgb image = ImageRgb.Solid(4, 4, White);
        image[1, 1] = 0x00FF0000;
        image[2, 2] = 0x0000FF00;

        // BackgroundSpecified | AnySubrects | SubrectsColoured = 2 | 8 | 16, white, 2 sub-rectangles,
        // each its pixel (red 00 00 FF 00, green 00 FF 00 00), position and 1x1 size.
        byte[] expected =
        [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05,
            0x1A, .. s_white, 0x02, 0x00, 0x00, 0xFF, 0x00, 0x11, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x22, 0x00,
        ];
        Assert.Equal(expected, Encode(image));
    }

    [Fact]
    public void Encode_ForegroundAfterColouredTile_SpecifiedAgain()
    {
        // Three tiles on white: ink at (1, 1); ink at (2, 2) and green at (3, 3); ink at (4, 5).
        ImageRgb image = ImageRgb.Solid(48, 16, White);
        image[1, 1] = Ink;
        image[16 + 2, 2] = Ink;
        image[16 + 3, 3] = 0x0000FF00;
        image[32 + 4, 5] = Ink;

        // Tile 1: BackgroundSpecified | ForegroundSpecified | AnySubrects, white, ink, 1 at (1, 1) 1x1.
        // Tile 2: AnySubrects | SubrectsColoured = 8 | 16 (background carried), 2 sub-rectangles with
        // their pixels (ink; green 00 FF 00 00).
        // Tile 3: the same ink as tile 1, but decoders disagree on the foreground after coloured
        // sub-rectangles, so ForegroundSpecified | AnySubrects = 4 | 8, ink, 1 at (4, 5).
        byte[] expected =
        [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05,
            0x0E, .. s_white, .. s_ink, 0x01, 0x11, 0x00,
            0x18, 0x02, .. s_ink, 0x22, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x33, 0x00,
            0x0C, .. s_ink, 0x01, 0x45, 0x00,
        ];
        Assert.Equal(expected, Encode(image));
    }

    public static TheoryData<string, PixelFormat> DecoderFormats => new()
    {
        { "canonical", PixelFormat.Canonical },
        { "RGB888 big-endian", PixelFormat.Canonical with { BigEndian = true } },
        { "RGB565 little-endian", new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0) },
        { "RGB565 big-endian", new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0) },
        { "BGR233", new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 6) },
    };

    [Theory]
    [MemberData(nameof(DecoderFormats))]
    public void Encode_MixedContentOddRectangles_DecodesToTranslatedPixels(string name, PixelFormat format)
    {
        var translator = new PixelTranslator(format);
        ImageRgb image = EncoderTestContent.Mixed(EncoderTestContent.Width, EncoderTestContent.Height, 3);
        var view = new PixelView(image.Pixels, image.Width, image.Width, image.Height);
        using var encoder = new HextileEncoder();
        var output = new ArrayBufferWriter<byte>();
        foreach ((int x, int y, int w, int h) in EncoderTestContent.OddLayout)
        {
            encoder.Encode(view.Slice(x, y, w, h), x, y, translator, new EncodeSettings(), output);
        }

        var decoder = new HextileTestDecoder(image.Width, image.Height, translator.BytesPerPixel);
        Assert.Equal(output.WrittenCount, decoder.Decode(output.WrittenSpan, EncoderTestContent.OddLayout.Count));
        var expected = new byte[image.Pixels.Length * translator.BytesPerPixel];
        translator.TranslateRow(image.Pixels, expected);
        Assert.True(expected.AsSpan().SequenceEqual(decoder.Framebuffer), name);
    }
}
