using Rfb.Encodings;

namespace Rfb.Tests.Encodings;

public sealed class PixelFormatTests
{
    // Golden PIXEL_FORMAT vectors, written by hand from RFC 6143 §7.4: bpp, depth, big-endian
    // flag, true-colour flag, red/green/blue max as big-endian U16, red/green/blue shift, then
    // three bytes of padding.

    // Canonical: 32 bpp (0x20), depth 24 (0x18), little-endian, true colour, max 255 (00 FF)
    // three times, shifts 16 (0x10), 8, 0.
    private static readonly byte[] s_canonicalBytes =
        [0x20, 0x18, 0x00, 0x01, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x10, 0x08, 0x00, 0x00, 0x00, 0x00];

    // RGB565 big-endian: 16 bpp, depth 16, big-endian, true colour, max 31/63/31, shifts 11/5/0.
    private static readonly byte[] s_rgb565BigEndianBytes =
        [0x10, 0x10, 0x01, 0x01, 0x00, 0x1F, 0x00, 0x3F, 0x00, 0x1F, 0x0B, 0x05, 0x00, 0x00, 0x00, 0x00];

    // BGR233: 8 bpp, depth 8, max 7/7/3, shifts 0/3/6.
    private static readonly byte[] s_bgr233Bytes =
        [0x08, 0x08, 0x00, 0x01, 0x00, 0x07, 0x00, 0x07, 0x00, 0x03, 0x00, 0x03, 0x06, 0x00, 0x00, 0x00];

    // 10 bits per channel: 32 bpp, depth 30 (0x1E), max 1023 (03 FF), shifts 20 (0x14)/10 (0x0A)/0.
    private static readonly byte[] s_tenBitBytes =
        [0x20, 0x1E, 0x00, 0x01, 0x03, 0xFF, 0x03, 0xFF, 0x03, 0xFF, 0x14, 0x0A, 0x00, 0x00, 0x00, 0x00];

    public static TheoryData<byte[], PixelFormat> GoldenFormats => new()
    {
        { s_canonicalBytes, new PixelFormat(32, 24, false, true, 255, 255, 255, 16, 8, 0) },
        { s_rgb565BigEndianBytes, new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0) },
        { s_bgr233Bytes, new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 6) },
        { s_tenBitBytes, new PixelFormat(32, 30, false, true, 1023, 1023, 1023, 20, 10, 0) },
    };

    [Theory]
    [MemberData(nameof(GoldenFormats))]
    public void Read_GoldenBytes_GivesFormat(byte[] wire, PixelFormat expected)
    {
        Assert.Equal(expected, PixelFormat.Read(wire));
    }

    [Theory]
    [MemberData(nameof(GoldenFormats))]
    public void Write_Format_GivesGoldenBytes(byte[] expected, PixelFormat format)
    {
        var wire = new byte[16];
        wire.AsSpan().Fill(0xEE); // padding must be overwritten with zeros
        format.Write(wire);
        Assert.Equal(expected, wire);
    }

    [Fact]
    public void Canonical_IsTheServerInitFormat()
    {
        var wire = new byte[16];
        PixelFormat.Canonical.Write(wire);
        Assert.Equal(s_canonicalBytes, wire);
        Assert.Equal(4, PixelFormat.Canonical.BytesPerPixel);
    }

    [Fact]
    public void Read_NonzeroFlagsAndPadding_FlagsTrueAndPaddingIgnored()
    {
        // Flags 0x02 and 0xFF are both "non-zero (true)"; the padding is junk.
        byte[] wire = [0x10, 0x10, 0x02, 0xFF, 0x00, 0x1F, 0x00, 0x3F, 0x00, 0x1F, 0x0B, 0x05, 0x00, 0xAA, 0xBB];
        Assert.Throws<ArgumentException>(() => PixelFormat.Read(wire)); // 15 bytes: too short

        byte[] full = [.. wire, 0xCC];
        PixelFormat format = PixelFormat.Read(full);
        Assert.Equal(new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0), format);

        var written = new byte[16];
        format.Write(written);
        Assert.Equal(s_rgb565BigEndianBytes, written); // flags written as 1, padding as 0
    }

    [Fact]
    public void Write_ShortDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() => PixelFormat.Canonical.Write(new byte[15]));
    }

    public static TheoryData<PixelFormat> AcceptedFormats => new()
    {
        PixelFormat.Canonical,
        new PixelFormat(32, 32, false, true, 255, 255, 255, 16, 8, 0),  // depth 32 is tolerated
        new PixelFormat(32, 24, true, true, 255, 255, 255, 0, 8, 16),   // big-endian, blue high
        new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0),     // RGB565
        new PixelFormat(16, 15, false, true, 31, 31, 31, 10, 5, 0),     // RGB555, depth 15
        new PixelFormat(16, 16, false, true, 31, 31, 31, 10, 5, 0),     // RGB555, depth 16
        new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 6),           // BGR233
        new PixelFormat(8, 8, false, true, 7, 7, 3, 5, 2, 0),           // TigerVNC's RGB332
        new PixelFormat(8, 6, false, true, 3, 3, 3, 4, 2, 0),           // RGB222 (64 colours)
        new PixelFormat(32, 24, false, true, 1023, 1023, 1023, 20, 10, 0), // 10-bit channels
        new PixelFormat(32, 1, false, true, 65535, 1, 1, 16, 0, 1),     // 16-bit red at the top
    };

    [Theory]
    [MemberData(nameof(AcceptedFormats))]
    public void TryValidate_ClientFormats_Accepted(PixelFormat format)
    {
        Assert.True(format.TryValidate(out string? reason));
        Assert.Null(reason);
    }

    public static TheoryData<PixelFormat, string> RefusedFormats => new()
    {
        { new PixelFormat(24, 24, false, true, 255, 255, 255, 16, 8, 0), "bits per pixel must be 8, 16 or 32, not 24" },
        { new PixelFormat(0, 0, false, true, 1, 1, 1, 0, 0, 0), "bits per pixel must be 8, 16 or 32, not 0" },
        { new PixelFormat(8, 8, false, false, 0, 0, 0, 0, 0, 0), "colour maps are not supported; a true-colour pixel format is required" },
        { new PixelFormat(16, 0, false, true, 31, 63, 31, 11, 5, 0), "depth must be between 1 and 16 (the bits per pixel), not 0" },
        { new PixelFormat(32, 33, false, true, 255, 255, 255, 16, 8, 0), "depth must be between 1 and 32 (the bits per pixel), not 33" },
        { new PixelFormat(32, 24, false, true, 0, 255, 255, 16, 8, 0), "red max must not be zero" },
        { new PixelFormat(32, 24, false, true, 255, 0, 255, 16, 8, 0), "green max must not be zero" },
        { new PixelFormat(32, 24, false, true, 255, 255, 0, 16, 8, 0), "blue max must not be zero" },
        { new PixelFormat(16, 16, false, true, 31, 6, 31, 11, 5, 0), "green max must be 2^n - 1, not 6" },
        { new PixelFormat(16, 16, false, true, 32, 63, 31, 11, 5, 0), "red max must be 2^n - 1, not 32" },
        { new PixelFormat(32, 24, false, true, 255, 255, 255, 16, 8, 28), "blue channel (shift 28, 8 bits) does not fit in 32 bits per pixel" },
        { new PixelFormat(16, 16, false, true, 63, 63, 31, 11, 5, 0), "red channel (shift 11, 6 bits) does not fit in 16 bits per pixel" },
        { new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 7), "blue channel (shift 7, 2 bits) does not fit in 8 bits per pixel" },
        { new PixelFormat(32, 24, false, true, 255, 255, 65535, 0, 0, 255), "blue channel (shift 255, 16 bits) does not fit in 32 bits per pixel" },
    };

    [Theory]
    [MemberData(nameof(RefusedFormats))]
    public void TryValidate_BadFormat_RefusedWithReason(PixelFormat format, string expectedReason)
    {
        Assert.False(format.TryValidate(out string? reason));
        Assert.Equal(expectedReason, reason);
    }

    [Fact]
    public void TryValidate_SeveralProblems_FirstRuleReported()
    {
        // Both a colour map and a bad depth: the colour-map rule comes first.
        var format = new PixelFormat(8, 9, false, false, 0, 0, 0, 0, 0, 0);
        Assert.False(format.TryValidate(out string? reason));
        Assert.Equal("colour maps are not supported; a true-colour pixel format is required", reason);
    }

    [Fact]
    public void PixelTranslator_ColourMapFormat_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new PixelTranslator(new PixelFormat(8, 8, false, false, 0, 0, 0, 0, 0, 0)));
        Assert.Contains("colour maps are not supported", error.Message);
    }

    public static TheoryData<PixelFormat, int> CompactPixelSizes => new()
    {
        // 32 bpp, depth 24, colour bits in the low three bytes (either byte order): 3.
        { PixelFormat.Canonical, 3 },
        { PixelFormat.Canonical with { BigEndian = true }, 3 },
        // Colour bits in the high three bytes: 3.
        { new PixelFormat(32, 24, false, true, 255, 255, 255, 24, 16, 8), 3 },
        { new PixelFormat(32, 24, true, true, 255, 255, 255, 24, 16, 8), 3 },
        // Depth 16 with 5/6/5 bits inside a 32-bit pixel is still 3.
        { new PixelFormat(32, 16, false, true, 31, 63, 31, 11, 5, 0), 3 },
        // Depth above 24: the whole pixel.
        { PixelFormat.Canonical with { Depth = 32 }, 4 },
        { PixelFormat.Canonical with { Depth = 25 }, 4 },
        // Colour bits in both the top and the bottom byte: neither three bytes hold them all.
        { new PixelFormat(32, 24, false, true, 255, 255, 255, 24, 8, 0), 4 },
        // 16 and 8 bits per pixel: the whole pixel.
        { new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0), 2 },
        { new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 6), 1 },
    };

    [Theory]
    [MemberData(nameof(CompactPixelSizes))]
    public void CompactPixelBytes_Format_FollowsZrleRule(PixelFormat format, int expected)
    {
        Assert.Equal(expected, format.CompactPixelBytes);
        Assert.Equal(expected == 3, format.UsesCompactPixel);
    }

    public static TheoryData<PixelFormat, int> TightPixelSizes => new()
    {
        // 32 bpp, depth 24, three 8-bit channels: 3, whatever the shifts and byte order.
        { PixelFormat.Canonical, 3 },
        { PixelFormat.Canonical with { BigEndian = true }, 3 },
        { new PixelFormat(32, 24, false, true, 255, 255, 255, 0, 8, 16), 3 },
        { new PixelFormat(32, 24, true, true, 255, 255, 255, 24, 16, 8), 3 },
        // Depth must be exactly 24 and each channel exactly 8 bits.
        { PixelFormat.Canonical with { Depth = 32 }, 4 },
        { new PixelFormat(32, 16, false, true, 31, 63, 31, 11, 5, 0), 4 },
        { new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0), 2 },
    };

    [Theory]
    [MemberData(nameof(TightPixelSizes))]
    public void TightPixelBytes_Format_FollowsTightRule(PixelFormat format, int expected)
    {
        Assert.Equal(expected, format.TightPixelBytes);
        Assert.Equal(expected == 3, format.UsesTightPixel);
    }
}
