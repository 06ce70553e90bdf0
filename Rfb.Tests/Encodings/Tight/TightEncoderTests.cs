using System.Buffers;
using Rfb.Encodings;
using Rfb.Encodings.Tight;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>
/// Golden bytes for small Tight rectangles, worked out by hand from the community rfbproto
/// specification's Tight section (control byte: bits 0-3 stream resets, bits 4-7 the type: 1000
/// fill, 1001 JPEG, 0fss basic with f = explicit filter and ss = stream; filter 0 copy, 1 palette,
/// 2 gradient; TPIXEL = R, G, B for 32-bit depth-24 formats with 8-bit channels).
/// </summary>
public sealed class TightEncoderTests
{
    private static readonly PixelTranslator s_canonical = new(PixelFormat.Canonical);
    private static readonly EncodeSettings s_lossless = new();

    private static byte[] Encode(TightEncoder encoder, uint[] pixels, int width, int height, int x = 0, int y = 0, EncodeSettings? settings = null, PixelTranslator? translator = null)
    {
        var output = new ArrayBufferWriter<byte>();
        encoder.Encode(new PixelView(pixels, width, width, height), x, y, translator ?? s_canonical, settings ?? s_lossless, output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Encode_Solid2x2_WritesFillWithTpixel()
    {
        using var encoder = new TightEncoder();
        var output = new ArrayBufferWriter<byte>();

        int count = encoder.Encode(new PixelView([0x112233, 0x112233, 0x112233, 0x112233], 2, 2, 2), 5, 6, s_canonical, s_lossless, output);

        // Header: x 5, y 6, 2 x 2, encoding 7. Fill control 0x80, then TPIXEL R G B.
        byte[] expected = [0, 5, 0, 6, 0, 2, 0, 2, 0, 0, 0, 7, 0x80, 0x11, 0x22, 0x33];
        Assert.Equal(1, count);
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Encode_Solid2x2ForRgb565Client_WritesFillInClientFormat()
    {
        using var encoder = new TightEncoder();
        var rgb565 = new PixelTranslator(new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0));

        byte[] bytes = Encode(encoder, [0xFF0000, 0xFF0000, 0xFF0000, 0xFF0000], 2, 2, translator: rgb565);

        // A 16-bit format has no TPIXEL: the fill colour is the client's pixel, red = 31 << 11 = 0xF800, little-endian.
        Assert.Equal([0x80, 0x00, 0xF8], bytes[12..]);
    }

    [Fact]
    public void Encode_TwoColours10x2_WritesMonoRowsPaddedToAByteUncompressed()
    {
        using var encoder = new TightEncoder();
        const uint A = 0x0000FF;
        const uint B = 0xFFFFFF;
        uint[] pixels =
        [
            A, B, A, B, A, B, A, B, A, B,
            B, B, B, B, B, B, B, B, B, A,
        ];

        byte[] bytes = Encode(encoder, pixels, 10, 2);

        // Control 0x50: basic, explicit filter (0x40), stream 1 (0x10); no reset because no zlib
        // is used: 2 rows x 2 bytes = 4 bytes of data, under 12. Filter 1 (palette), 2 colours
        // (1), palette A then B in order of appearance, then bits MSB first, index 1 = B:
        // 0101010101 -> 0x55 0x40; 1111111110 -> 0xFF 0x80.
        byte[] expected = [0x50, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x55, 0x40, 0xFF, 0x80];
        Assert.Equal(expected, bytes[12..]);
    }

    [Fact]
    public void Encode_ThreeColours12x12_WritesIndexedPaletteOnStream2ThenReusesTheStream()
    {
        using var encoder = new TightEncoder();
        const uint R = 0xFF0000;
        const uint G = 0x00FF00;
        const uint K = 0x000000;
        uint[] pattern =
        [
            R, R, G, G,
            R, K, K, G,
            R, R, R, R,
            G, G, K, K,
        ];

        // 12x12 (the 4x4 pattern three times across and down): 144 pixels, enough for a lossless
        // palette of 3 (one colour per 48 pixels). The palette is ordered by colour value: K 0, G 1, R 2.
        var pixels = new uint[12 * 12];
        var indices = new byte[12 * 12];
        for (int i = 0; i < pixels.Length; i++)
        {
            uint p = pattern[(i / 12 % 4 * 4) + (i % 12 % 4)];
            pixels[i] = p;
            indices[i] = p == K ? (byte)0 : p == G ? (byte)1 : (byte)2;
        }

        var inflaters = new TightInflaters();

        var first = new TightWire(Encode(encoder, pixels, 12, 12));
        first.ReadHeader();
        // 0x64: explicit filter 0x40 | stream 2 (0x20) | reset stream 2 (0x04, first use by this encoder).
        Assert.Equal(0x64, first.ReadByte());
        Assert.Equal(1, first.ReadByte()); // palette filter
        Assert.Equal(2, first.ReadByte()); // 3 colours
        Assert.Equal([0, 0, 0, 0, 0xFF, 0, 0xFF, 0, 0], first.Take(9).ToArray());
        int length = first.ReadCompactLength();
        Assert.Equal(indices, inflaters.Inflate(2, first.Take(length), 144));
        Assert.True(first.AtEnd);

        // Same stream, no reset: the client's inflater continues with its dictionary.
        var second = new TightWire(Encode(encoder, pixels, 12, 12));
        second.ReadHeader();
        Assert.Equal(0x60, second.ReadByte());
        second.Take(11);
        Assert.Equal(indices, inflaters.Inflate(2, second.Take(second.ReadCompactLength()), 144));
        Assert.True(second.AtEnd);
    }

    [Fact]
    public void Encode_ThreeColoursIn96Pixels_IsFullColourLosslessButAPaletteWhenJpegIsAllowed()
    {
        // 96 pixels of three colours: lossless, a palette needs 48 pixels a colour (2 here), so
        // full colour on stream 0; with JPEG allowed it needs 32 (3 here), so a palette on stream
        // 2 (96 pixels are too few for JPEG).
        var pixels = new uint[12 * 8];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (i % 3) switch { 0 => 0xFF0000u, 1 => 0x00FF00u, _ => 0x000000u };
        }

        using var first = new TightEncoder();
        using var second = new TightEncoder();
        var lossless = new TightWire(Encode(first, pixels, 12, 8));
        lossless.ReadHeader();
        Assert.Equal(0x01, lossless.ReadByte()); // stream 0, reset stream 0, no filter: full colour

        var withJpeg = new TightWire(Encode(second, pixels, 12, 8, settings: new EncodeSettings { QualityLevel = 8, CompressLevel = 2 }));
        withJpeg.ReadHeader();
        Assert.Equal(0x64, withJpeg.ReadByte()); // explicit filter, stream 2, reset stream 2
        Assert.Equal(1, withJpeg.ReadByte()); // palette filter
        Assert.Equal(2, withJpeg.ReadByte()); // 3 colours
    }

    [Fact]
    public void Encode_FullColourUnder12Bytes_WritesTpixelsUncompressed()
    {
        using var encoder = new TightEncoder();

        byte[] bytes = Encode(encoder, [0x010203, 0x040506, 0x070809], 3, 1);

        // Three colours in three pixels: a palette (1 + 9 bytes + 3 indices) is not smaller than
        // 9 bytes of TPIXELs, so full colour: control 0x00 (stream 0, copy filter implied), and
        // 9 bytes under 12 go uncompressed with no length.
        Assert.Equal([0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9], bytes[12..]);
    }

    [Theory]
    [InlineData(127, new byte[] { 0x7F })]
    [InlineData(128, new byte[] { 0x80, 0x01 })]
    [InlineData(16383, new byte[] { 0xFF, 0x7F })]
    [InlineData(16384, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(4194303, new byte[] { 0xFF, 0xFF, 0xFF })]
    public void CompactLength_Boundaries_MatchTheSpecTable(int value, byte[] expected)
    {
        // 7 bits a byte, low first, 0x80 when another byte follows; the third byte has 8 bits.
        Span<byte> buffer = stackalloc byte[3];
        int n = TightCompactLength.Write(buffer, value);
        Assert.Equal(expected, buffer[..n].ToArray());
        Assert.Equal(n, TightCompactLength.SizeOf(value));
        Assert.Equal(value, new TightWire(expected).ReadCompactLength());
    }

    [Fact]
    public void CompactLength_TooLarge_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TightCompactLength.Write(new byte[3], 4194304));
    }

    [Fact]
    public void Encode_Solid2049Wide_SplitsIntoTwoFills()
    {
        using var encoder = new TightEncoder();
        var pixels = new uint[2049 * 2];
        pixels.AsSpan().Fill(0x00ABCDEF);
        var output = new ArrayBufferWriter<byte>();

        int count = encoder.Encode(new PixelView(pixels, 2049, 2049, 2), 10, 20, s_canonical, s_lossless, output);

        // 2048 is the widest Tight rectangle: (10, 20) 2048 x 2 and (2058, 20) 1 x 2.
        byte[] expected =
        [
            0, 10, 0, 20, 0x08, 0x00, 0, 2, 0, 0, 0, 7, 0x80, 0xAB, 0xCD, 0xEF,
            0x08, 0x0A, 0, 20, 0, 1, 0, 2, 0, 0, 0, 7, 0x80, 0xAB, 0xCD, 0xEF,
        ];
        Assert.Equal(2, count);
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Encode_LargeNoisyRectangle_SplitsUnder65536PixelsAndCoversIt()
    {
        using var encoder = new TightEncoder();
        const int Width = 2100;
        const int Height = 70;
        var random = new Random(7);
        var pixels = new uint[Width * Height];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)random.Next(0x1000000);
        }

        var wire = new TightWire(Encode(encoder, pixels, Width, Height));
        var inflaters = new TightInflaters();
        var covered = new int[Width * Height];
        while (!wire.AtEnd)
        {
            (int x, int y, int w, int h, int encoding) = wire.ReadHeader();
            Assert.Equal(EncodingType.Tight, encoding);
            Assert.InRange(w, 1, 2048);
            Assert.InRange(w * h, 1, 65536);
            int control = wire.ReadByte();
            Assert.Equal(0, control & 0xF0); // noise: full colour, no filter, stream 0
            if ((control & 1) != 0)
            {
                inflaters.Reset(0);
            }

            byte[] data = inflaters.Inflate(0, wire.Take(wire.ReadCompactLength()), w * h * 3);
            for (int row = 0; row < h; row++)
            {
                for (int col = 0; col < w; col++)
                {
                    int i = ((row * w) + col) * 3;
                    Assert.Equal(pixels[((y + row) * Width) + x + col], (uint)((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]));
                    covered[((y + row) * Width) + x + col]++;
                }
            }
        }

        Assert.All(covered, c => Assert.Equal(1, c));
    }

    [Fact]
    public void Encode_SmoothGradient_UsesGradientFilterOnStream3AndReconstructs()
    {
        using var encoder = new TightEncoder();
        const int Size = 64;
        var pixels = new uint[Size * Size];
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                pixels[(y * Size) + x] = (uint)((x * 4) << 16 | (y * 4) << 8 | ((x + y) * 2));
            }
        }

        var wire = new TightWire(Encode(encoder, pixels, Size, Size));
        wire.ReadHeader();
        // Explicit filter 0x40 | stream 3 (0x30) | reset stream 3 (0x08).
        Assert.Equal(0x78, wire.ReadByte());
        Assert.Equal(2, wire.ReadByte());
        byte[] residuals = new TightInflaters().Inflate(3, wire.Take(wire.ReadCompactLength()), Size * Size * 3);
        Assert.True(wire.AtEnd);

        // Undo the filter as the spec describes: value = residual + clamp(left + up - upleft, 0, 255), 0 outside.
        var value = new byte[residuals.Length];
        for (int y = 0; y < Size; y++)
        {
            for (int i = 0; i < Size * 3; i++)
            {
                int at = (y * Size * 3) + i;
                int left = i >= 3 ? value[at - 3] : 0;
                int up = y > 0 ? value[at - (Size * 3)] : 0;
                int corner = i >= 3 && y > 0 ? value[at - (Size * 3) - 3] : 0;
                value[at] = (byte)(residuals[at] + Math.Clamp(left + up - corner, 0, 255));
            }
        }

        for (int p = 0; p < pixels.Length; p++)
        {
            Assert.Equal(pixels[p], (uint)((value[p * 3] << 16) | (value[(p * 3) + 1] << 8) | value[(p * 3) + 2]));
        }
    }

    [Fact]
    public void Encode_CompressLevelChanges_ResetsTheStream()
    {
        using var encoder = new TightEncoder();
        var random = new Random(3);
        var pixels = new uint[32 * 32];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)random.Next(0x1000000);
        }

        byte[] atLevel2 = Encode(encoder, pixels, 32, 32, settings: new EncodeSettings { CompressLevel = 2 });
        byte[] again = Encode(encoder, pixels, 32, 32, settings: new EncodeSettings { CompressLevel = 2 });
        byte[] atLevel9 = Encode(encoder, pixels, 32, 32, settings: new EncodeSettings { CompressLevel = 9 });

        Assert.Equal(0x01, atLevel2[12]); // first use: reset stream 0
        Assert.Equal(0x00, again[12]);
        Assert.Equal(0x01, atLevel9[12]); // a new zlib level is a new stream

        // Each reset part inflates on its own, as a client does after the reset.
        var inflaters = new TightInflaters();
        var wire = new TightWire(atLevel9);
        wire.ReadHeader();
        wire.ReadByte();
        byte[] data = inflaters.Inflate(0, wire.Take(wire.ReadCompactLength()), 32 * 32 * 3);
        Assert.Equal((byte)(pixels[0] >> 16), data[0]);
    }

    // A 30x30 piece of 900 different colours: too many for a palette and under the encoder's
    // smallest JPEG area (1024 pixels), so full colour on stream 0 even with a quality set. The
    // zlib header's FLEVEL (RFC 1950) is 0 for level 1, 1 for 2..5, 2 for 6, 3 for 7..9.
    [Theory]
    [InlineData(8, 2, 0)]  // JPEG allowed, compress level 2: zlib 1
    [InlineData(-1, 2, 3)] // lossless, compress level 2: the full-colour table's zlib 7
    [InlineData(8, 9, 3)]  // JPEG allowed, compress level 9: zlib 8
    [InlineData(8, 4, 1)]  // JPEG allowed, compress level 4: zlib 4
    public void Encode_FullColourPieceUnderJpegArea_ZlibLevelFollowsWhetherJpegIsAllowed(int quality, int compress, int flevel)
    {
        using var encoder = new TightEncoder();
        const int Size = 30;
        var pixels = new uint[Size * Size];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)(i * 18637) & 0xFFFFFF; // odd multiplier: all different below 2^24
        }

        Assert.Equal(pixels.Length, pixels.Distinct().Count());
        var wire = new TightWire(Encode(encoder, pixels, Size, Size, settings: new EncodeSettings { QualityLevel = quality, CompressLevel = compress }));
        wire.ReadHeader();
        Assert.Equal(0x01, wire.ReadByte()); // basic, no filter, stream 0, reset stream 0
        ReadOnlySpan<byte> zlib = wire.Take(wire.ReadCompactLength());
        Assert.True(wire.AtEnd);
        Assert.Equal(0x78, zlib[0]);
        Assert.Equal(flevel, zlib[1] >> 6);

        byte[] data = new TightInflaters().Inflate(0, zlib, Size * Size * 3);
        for (int p = 0; p < pixels.Length; p++)
        {
            Assert.Equal(pixels[p], (uint)((data[p * 3] << 16) | (data[(p * 3) + 1] << 8) | data[(p * 3) + 2]));
        }
    }

    [Fact]
    public void Encode_ManyColoursWithQuality_WritesJpegControlAndLength()
    {
        TurboJpegRequirement.Ensure();
        using var encoder = new TightEncoder();
        var random = new Random(5);
        var pixels = new uint[64 * 64];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)random.Next(0x1000000);
        }

        var wire = new TightWire(Encode(encoder, pixels, 64, 64, settings: new EncodeSettings { QualityLevel = 8 }));
        wire.ReadHeader();
        Assert.Equal(0x90, wire.ReadByte());
        ReadOnlySpan<byte> jpeg = wire.Take(wire.ReadCompactLength());
        Assert.True(wire.AtEnd);
        Assert.Equal([0xFF, 0xD8], jpeg[..2].ToArray()); // SOI
        Assert.Equal([0xFF, 0xD9], jpeg[^2..].ToArray()); // EOI
    }

    [Fact]
    public void Encode_FewColoursWithQuality_StaysLossless()
    {
        using var encoder = new TightEncoder();
        var pixels = new uint[64 * 64];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)(i % 7 * 0x101010); // 7 colours: text-like content
        }

        byte[] bytes = Encode(encoder, pixels, 64, 64, settings: new EncodeSettings { QualityLevel = 8 });

        Assert.Equal(0x64, bytes[12]); // indexed palette on stream 2, not JPEG
    }
}
