using System.Buffers;
using Rfb.Encodings;
using Rfb.Encodings.Tight;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>Tight and TightPNG JPEG rectangles, decoded by libjpeg-turbo's decompressor.</summary>
public sealed class TightJpegTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Encode_PhotoLikeFrameAtQuality8_DecodesAbove35Db(bool png)
    {
        TurboJpegRequirement.Ensure();
        const int Width = 320;
        const int Height = 240;
        uint[] pixels = ImageQuality.PhotoLike(Width, Height, 11);
        using IRectangleEncoder encoder = png ? new TightPngEncoder() : new TightEncoder();
        var output = new ArrayBufferWriter<byte>();

        int count = encoder.Encode(new PixelView(pixels, Width, Width, Height), 0, 0, new PixelTranslator(PixelFormat.Canonical), new EncodeSettings { QualityLevel = 8 }, output);

        var decoded = new uint[Width * Height];
        var wire = new TightWire(output.WrittenSpan);
        for (int i = 0; i < count; i++)
        {
            (int x, int y, int w, int h, int encoding) = wire.ReadHeader();
            Assert.Equal(png ? EncodingType.TightPng : EncodingType.Tight, encoding);
            Assert.Equal(0x90, wire.ReadByte());
            uint[] part = TurboJpegDecoder.Decode(wire.Take(wire.ReadCompactLength()), out int jw, out int jh);
            Assert.Equal((w, h), (jw, jh));
            for (int row = 0; row < h; row++)
            {
                part.AsSpan(row * w, w).CopyTo(decoded.AsSpan(((y + row) * Width) + x));
            }
        }

        Assert.True(wire.AtEnd);
        double psnr = ImageQuality.Psnr(pixels, decoded);
        Assert.True(psnr >= 35, $"PSNR {psnr:F1} dB");
    }

    [Theory]
    [InlineData(0, 15)]
    [InlineData(8, 92)]
    [InlineData(9, 100)]
    public void JpegQuality_Levels_FollowTigerVncTable(int level, int quality)
    {
        (int q, _) = Rfb.Encodings.Jpeg.JpegQuality.For(new EncodeSettings { QualityLevel = level });
        Assert.Equal(quality, q);
    }

    [Fact]
    public void JpegQuality_FineQualityAndSubsampling_Override()
    {
        (int q, Rfb.Encodings.Jpeg.JpegSubsampling s) = Rfb.Encodings.Jpeg.JpegQuality.For(new EncodeSettings { QualityLevel = 8, FineQuality = 55, Subsampling = 2 });
        Assert.Equal(55, q);
        Assert.Equal(Rfb.Encodings.Jpeg.JpegSubsampling.S422, s);
    }
}
