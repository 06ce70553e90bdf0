using System.Runtime.Intrinsics;
using Rfb.Encodings;

namespace Rfb.Tests.Encodings;

public sealed class PixelTranslatorTests
{
    // Canonical test pixels (0x00RRGGBB): black, white, red, green, blue, (0x12, 0x34, 0x56) and
    // mid grey (0x80, 0x80, 0x80).
    private static readonly uint[] s_pixels = [0x000000, 0xFFFFFF, 0xFF0000, 0x00FF00, 0x0000FF, 0x123456, 0x808080];

    // Expected bytes below were worked out by hand from the rule "client channel =
    // (v * max + 127) / 255, shifted into place, written in the client's byte order".
    // Worked channel values used by the 5/6-bit and 2/3-bit formats:
    //   v = 0x12 = 18:  max 31 -> (558 + 127) / 255 = 2;   max 7 -> (126 + 127) / 255 = 0
    //   v = 0x34 = 52:  max 63 -> (3276 + 127) / 255 = 13; max 31 -> (1612 + 127) / 255 = 6;
    //                   max 7 -> (364 + 127) / 255 = 1
    //   v = 0x56 = 86:  max 31 -> (2666 + 127) / 255 = 10; max 3 -> (258 + 127) / 255 = 1
    //   v = 0x80 = 128: max 31 -> 4095 / 255 = 16; max 63 -> 8191 / 255 = 32; max 7 -> 1023 / 255 = 4;
    //                   max 3 -> 511 / 255 = 2
    //   v = 0xFF: max; v = 0: 0.

    public static TheoryData<string, PixelFormat, byte[]> ExactRows => new()
    {
        {
            // 32 bpp canonical, little-endian: B, G, R, 0.
            "canonical LE", PixelFormat.Canonical,
            [
                0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0xFF, 0x00, 0x00,
                0xFF, 0x00, 0x00, 0x00, 0x56, 0x34, 0x12, 0x00, 0x80, 0x80, 0x80, 0x00,
            ]
        },
        {
            // 32 bpp canonical shifts, big-endian: 0, R, G, B.
            "canonical BE", PixelFormat.Canonical with { BigEndian = true },
            [
                0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00,
                0x00, 0x00, 0x00, 0xFF, 0x00, 0x12, 0x34, 0x56, 0x00, 0x80, 0x80, 0x80,
            ]
        },
        {
            // Red at bit 0, green 8, blue 16, little-endian: R, G, B, 0 in memory (RGBX).
            "RGBX LE", new PixelFormat(32, 24, false, true, 255, 255, 255, 0, 8, 16),
            [
                0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00,
                0x00, 0x00, 0xFF, 0x00, 0x12, 0x34, 0x56, 0x00, 0x80, 0x80, 0x80, 0x00,
            ]
        },
        {
            // Red at bit 24, green 16, blue 8, big-endian: R, G, B, 0 again.
            "RGBX BE", new PixelFormat(32, 24, true, true, 255, 255, 255, 24, 16, 8),
            [
                0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00,
                0x00, 0x00, 0xFF, 0x00, 0x12, 0x34, 0x56, 0x00, 0x80, 0x80, 0x80, 0x00,
            ]
        },
        {
            // Red at bit 8, green 16, blue 24, little-endian: 0, R, G, B (XRGB in memory).
            "XRGB LE", new PixelFormat(32, 24, false, true, 255, 255, 255, 8, 16, 24),
            [
                0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00,
                0x00, 0x00, 0x00, 0xFF, 0x00, 0x12, 0x34, 0x56, 0x00, 0x80, 0x80, 0x80,
            ]
        },
        {
            // Blue at bit 16, green 8, red 0, big-endian: value 0x00BBGGRR -> 0, B, G, R.
            "XBGR BE", new PixelFormat(32, 24, true, true, 255, 255, 255, 0, 8, 16),
            [
                0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0xFF, 0x00,
                0x00, 0xFF, 0x00, 0x00, 0x00, 0x56, 0x34, 0x12, 0x00, 0x80, 0x80, 0x80,
            ]
        },
        {
            // RGB565 little-endian. Values: 0x0000, 0xFFFF, 31<<11 = 0xF800, 63<<5 = 0x07E0,
            // 0x001F, 2<<11 | 13<<5 | 10 = 0x11AA, 16<<11 | 32<<5 | 16 = 0x8410.
            "RGB565 LE", new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0),
            [0x00, 0x00, 0xFF, 0xFF, 0x00, 0xF8, 0xE0, 0x07, 0x1F, 0x00, 0xAA, 0x11, 0x10, 0x84]
        },
        {
            // RGB565 big-endian: the same values, most significant byte first.
            "RGB565 BE", new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0),
            [0x00, 0x00, 0xFF, 0xFF, 0xF8, 0x00, 0x07, 0xE0, 0x00, 0x1F, 0x11, 0xAA, 0x84, 0x10]
        },
        {
            // RGB555 (depth 15) little-endian. Values: 0x0000, 0x7FFF, 31<<10 = 0x7C00,
            // 31<<5 = 0x03E0, 0x001F, 2<<10 | 6<<5 | 10 = 0x08CA, 16<<10 | 16<<5 | 16 = 0x4210.
            "RGB555 LE", new PixelFormat(16, 15, false, true, 31, 31, 31, 10, 5, 0),
            [0x00, 0x00, 0xFF, 0x7F, 0x00, 0x7C, 0xE0, 0x03, 0x1F, 0x00, 0xCA, 0x08, 0x10, 0x42]
        },
        {
            // BGR233: red bits 0-2, green 3-5, blue 6-7. Values: 0, 7 | 7<<3 | 3<<6 = 0xFF, 0x07,
            // 7<<3 = 0x38, 3<<6 = 0xC0, 0 | 1<<3 | 1<<6 = 0x48, 4 | 4<<3 | 2<<6 = 0xA4.
            "BGR233", new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 6),
            [0x00, 0xFF, 0x07, 0x38, 0xC0, 0x48, 0xA4]
        },
        {
            // RGB332 (TigerVNC's 8-bit): red bits 5-7, green 2-4, blue 0-1. Values: 0, 0xFF,
            // 7<<5 = 0xE0, 7<<2 = 0x1C, 0x03, 0<<5 | 1<<2 | 1 = 0x05, 4<<5 | 4<<2 | 2 = 0x92.
            "RGB332", new PixelFormat(8, 8, false, true, 7, 7, 3, 5, 2, 0),
            [0x00, 0xFF, 0xE0, 0x1C, 0x03, 0x05, 0x92]
        },
        {
            // RGB332 with the big-endian flag set: meaningless at 8 bpp, same bytes.
            "RGB332 BE flag", new PixelFormat(8, 8, true, true, 7, 7, 3, 5, 2, 0),
            [0x00, 0xFF, 0xE0, 0x1C, 0x03, 0x05, 0x92]
        },
    };

    [Theory]
    [MemberData(nameof(ExactRows))]
    public void TranslateRow_KnownFormat_GivesHandComputedBytes(string name, PixelFormat format, byte[] expected)
    {
        Assert.NotNull(name);
        foreach (bool vectors in new[] { true, false })
        {
            var translator = new PixelTranslator(format, vectors);
            var actual = new byte[s_pixels.Length * format.BytesPerPixel + 3];
            actual.AsSpan().Fill(0xEE);
            translator.TranslateRow(s_pixels, actual);
            Assert.Equal(expected, actual[..^3]);
            Assert.Equal([0xEE, 0xEE, 0xEE], actual[^3..]); // nothing written past the row
        }
    }

    [Fact]
    public void TranslateRow_ShortDestination_Throws()
    {
        var translator = new PixelTranslator(PixelFormat.Canonical);
        Assert.Throws<ArgumentException>(() => translator.TranslateRow(s_pixels, new byte[s_pixels.Length * 4 - 1]));
    }

    [Fact]
    public void TranslateRow_EmptyRow_WritesNothing()
    {
        foreach (PixelFormat format in new[] { PixelFormat.Canonical, new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0) })
        {
            var translator = new PixelTranslator(format);
            translator.TranslateRow([], []);
            translator.TranslateRowCompact([], []);
            translator.TranslateRowTight([], []);
        }
    }

    public static TheoryData<string, PixelFormat, byte[]> CompactRows => new()
    {
        // Pixels 0x123456 and 0xFF0000 (red).
        {
            // Canonical LE, low three bytes of the value, LE order: B, G, R.
            "canonical LE", PixelFormat.Canonical, [0x56, 0x34, 0x12, 0x00, 0x00, 0xFF]
        },
        {
            // Canonical shifts BE, low three bytes, BE order: R, G, B.
            "canonical BE", PixelFormat.Canonical with { BigEndian = true }, [0x12, 0x34, 0x56, 0xFF, 0x00, 0x00]
        },
        {
            // Value 0xRRGGBB00, high three bytes, LE order: B, G, R.
            "high LE", new PixelFormat(32, 24, false, true, 255, 255, 255, 24, 16, 8), [0x56, 0x34, 0x12, 0x00, 0x00, 0xFF]
        },
        {
            // Value 0xRRGGBB00, high three bytes, BE order: R, G, B.
            "high BE", new PixelFormat(32, 24, true, true, 255, 255, 255, 24, 16, 8), [0x12, 0x34, 0x56, 0xFF, 0x00, 0x00]
        },
        {
            // Value 0x00BBGGRR (red at bit 0), low three bytes, LE: R, G, B.
            "RGB LE", new PixelFormat(32, 24, false, true, 255, 255, 255, 0, 8, 16), [0x12, 0x34, 0x56, 0xFF, 0x00, 0x00]
        },
        {
            // 5/6/5 bits at shifts 19/13/8 fit both the low and the high three bytes: the low ones
            // are used. 0x123456 -> r 2, g 13, b 10 -> 2<<19 | 13<<13 | 10<<8 = 0x0011AA00;
            // red -> 31<<19 = 0x00F80000. LE low three bytes: 00 AA 11, 00 00 F8.
            "both fit LE", new PixelFormat(32, 16, false, true, 31, 63, 31, 19, 13, 8), [0x00, 0xAA, 0x11, 0x00, 0x00, 0xF8]
        },
        {
            // The same, big-endian: low three bytes most significant first: 11 AA 00, F8 00 00.
            "both fit BE", new PixelFormat(32, 16, true, true, 31, 63, 31, 19, 13, 8), [0x11, 0xAA, 0x00, 0xF8, 0x00, 0x00]
        },
        {
            // Depth 32: no CPIXEL, the whole pixel (canonical LE bytes).
            "depth 32", PixelFormat.Canonical with { Depth = 32 }, [0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0xFF, 0x00]
        },
        {
            // 16 bpp: no CPIXEL, RGB565 LE as in TranslateRow: 0x11AA, 0xF800.
            "RGB565 LE", new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0), [0xAA, 0x11, 0x00, 0xF8]
        },
    };

    [Theory]
    [MemberData(nameof(CompactRows))]
    public void TranslateRowCompact_Format_GivesCpixels(string name, PixelFormat format, byte[] expected)
    {
        Assert.NotNull(name);
        uint[] pixels = [0x123456, 0xFF0000];
        var translator = new PixelTranslator(format);
        Assert.Equal(expected.Length / 2, translator.CompactPixelBytes);
        var actual = new byte[expected.Length + 2];
        actual.AsSpan().Fill(0xEE);
        translator.TranslateRowCompact(pixels, actual);
        Assert.Equal(expected, actual[..^2]);
        Assert.Equal([0xEE, 0xEE], actual[^2..]);
    }

    public static TheoryData<string, PixelFormat, byte[]> TightRows => new()
    {
        // Pixels 0x123456 and 0xFF0000 (red). TPIXEL: R, G, B whatever the layout.
        { "canonical LE", PixelFormat.Canonical, [0x12, 0x34, 0x56, 0xFF, 0x00, 0x00] },
        { "canonical BE", PixelFormat.Canonical with { BigEndian = true }, [0x12, 0x34, 0x56, 0xFF, 0x00, 0x00] },
        { "RGB LE", new PixelFormat(32, 24, false, true, 255, 255, 255, 0, 8, 16), [0x12, 0x34, 0x56, 0xFF, 0x00, 0x00] },
        { "high BE", new PixelFormat(32, 24, true, true, 255, 255, 255, 24, 16, 8), [0x12, 0x34, 0x56, 0xFF, 0x00, 0x00] },
        // Depth 32: the whole pixel (canonical LE bytes).
        { "depth 32", PixelFormat.Canonical with { Depth = 32 }, [0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0xFF, 0x00] },
        // 16 bpp: RGB565 BE, 0x11AA and 0xF800.
        { "RGB565 BE", new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0), [0x11, 0xAA, 0xF8, 0x00] },
    };

    [Theory]
    [MemberData(nameof(TightRows))]
    public void TranslateRowTight_Format_GivesTpixels(string name, PixelFormat format, byte[] expected)
    {
        Assert.NotNull(name);
        uint[] pixels = [0x123456, 0xFF0000];
        var translator = new PixelTranslator(format);
        Assert.Equal(expected.Length / 2, translator.TightPixelBytes);
        var actual = new byte[expected.Length + 2];
        actual.AsSpan().Fill(0xEE);
        translator.TranslateRowTight(pixels, actual);
        Assert.Equal(expected, actual[..^2]);
        Assert.Equal([0xEE, 0xEE], actual[^2..]);
    }

    [Fact]
    public void Translator_ByteAlignedFormat_UsesVectorLoopsWhenHardwareAllows()
    {
        var format = new PixelFormat(32, 24, false, true, 255, 255, 255, 0, 8, 16);
        Assert.Equal(Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian, new PixelTranslator(format).UsesVectorShuffle);
        Assert.False(new PixelTranslator(format, allowVectors: false).UsesVectorShuffle);
        Assert.Equal(Vector128.IsHardwareAccelerated && BitConverter.IsLittleEndian, new PixelTranslator(PixelFormat.Canonical).UsesVectorThreeBytes);
        Assert.False(new PixelTranslator(PixelFormat.Canonical, allowVectors: false).UsesVectorThreeBytes);
    }

    [Fact]
    public void TranslateRow_RandomFormats_MatchScalarReference()
    {
        var random = new Random(6143);
        for (int round = 0; round < 3000; round++)
        {
            PixelFormat format = RandomFormat(random, round);
            Assert.True(format.TryValidate(out string? reason), reason);

            var pixels = new uint[random.Next(0, 40)];
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (uint)random.Next(0, 1 << 24);
            }

            byte[] expected = Reference.Translate(format, pixels);
            byte[] expectedCompact = Reference.TranslateCompact(format, pixels);
            byte[] expectedTight = Reference.TranslateTight(format, pixels);
            foreach (bool vectors in new[] { true, false })
            {
                var translator = new PixelTranslator(format, vectors);
                var actual = new byte[expected.Length];
                translator.TranslateRow(pixels, actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{format} (vectors {vectors}) TranslateRow");

                var compact = new byte[expectedCompact.Length];
                translator.TranslateRowCompact(pixels, compact);
                Assert.True(expectedCompact.AsSpan().SequenceEqual(compact), $"{format} (vectors {vectors}) TranslateRowCompact");

                var tight = new byte[expectedTight.Length];
                translator.TranslateRowTight(pixels, tight);
                Assert.True(expectedTight.AsSpan().SequenceEqual(tight), $"{format} (vectors {vectors}) TranslateRowTight");
            }
        }
    }

    [Fact]
    public void TranslateRowCompact_LongRow_MatchesReferenceAcrossChunks()
    {
        // Longer than the translator's internal chunk, in a layout that needs computed values.
        var format = new PixelFormat(32, 24, true, true, 255, 255, 255, 8, 16, 24);
        var random = new Random(7);
        var pixels = new uint[1000];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (uint)random.Next(0, 1 << 24);
        }

        var actual = new byte[pixels.Length * 3];
        new PixelTranslator(format).TranslateRowCompact(pixels, actual);
        Assert.Equal(Reference.TranslateCompact(format, pixels), actual);
    }

    /// <summary>
    /// A random valid format. Every fourth round is a 32-bit format with 8-bit channels on byte
    /// boundaries (the shuffle and copy paths); the rest have random widths and shifts.
    /// </summary>
    private static PixelFormat RandomFormat(Random random, int round)
    {
        bool bigEndian = random.Next(2) == 1;
        if (round % 4 == 0)
        {
            int[] bytes = [0, 8, 16, 24];
            random.Shuffle(bytes);
            return new PixelFormat(32, (byte)random.Next(24, 33), bigEndian, true, 255, 255, 255,
                (byte)bytes[0], (byte)bytes[1], (byte)bytes[2]);
        }

        int bpp = (round % 3) switch { 0 => 8, 1 => 16, _ => 32 };
        (ushort redMax, byte redShift) = RandomChannel(random, bpp);
        (ushort greenMax, byte greenShift) = RandomChannel(random, bpp);
        (ushort blueMax, byte blueShift) = RandomChannel(random, bpp);
        return new PixelFormat((byte)bpp, (byte)random.Next(1, bpp + 1), bigEndian, true,
            redMax, greenMax, blueMax, redShift, greenShift, blueShift);
    }

    private static (ushort Max, byte Shift) RandomChannel(Random random, int bpp)
    {
        int bits = random.Next(1, Math.Min(bpp, 16) + 1);
        int shift = random.Next(0, bpp - bits + 1);
        return ((ushort)((1 << bits) - 1), (byte)shift);
    }

    /// <summary>
    /// A plain, one-pixel-at-a-time statement of RFC 6143's pixel rules, written independently
    /// of the translator.
    /// </summary>
    private static class Reference
    {
        public static ulong Value(PixelFormat f, uint canonical)
        {
            ulong r = (canonical >> 16) & 0xFF;
            ulong g = (canonical >> 8) & 0xFF;
            ulong b = canonical & 0xFF;
            return ((r * f.RedMax + 127) / 255 << f.RedShift)
                | ((g * f.GreenMax + 127) / 255 << f.GreenShift)
                | ((b * f.BlueMax + 127) / 255 << f.BlueShift);
        }

        public static byte[] Translate(PixelFormat f, uint[] pixels)
        {
            int n = f.BitsPerPixel / 8;
            var output = new List<byte>();
            foreach (uint p in pixels)
            {
                ulong value = Value(f, p);
                for (int k = 0; k < n; k++)
                {
                    int byteIndex = f.BigEndian ? n - 1 - k : k; // which byte of the value goes k-th
                    output.Add((byte)(value >> (8 * byteIndex)));
                }
            }

            return [.. output];
        }

        public static byte[] TranslateCompact(PixelFormat f, uint[] pixels)
        {
            ulong colourBits = ((ulong)f.RedMax << f.RedShift) | ((ulong)f.GreenMax << f.GreenShift) | ((ulong)f.BlueMax << f.BlueShift);
            bool low = colourBits <= 0xFFFFFF;
            bool high = (colourBits & 0xFF) == 0;
            if (f.BitsPerPixel != 32 || f.Depth > 24 || !(low || high))
            {
                return Translate(f, pixels);
            }

            var output = new List<byte>();
            foreach (uint p in pixels)
            {
                ulong value = Value(f, p);
                // Value bytes 0..2 when the low three hold everything, else 1..3; in wire order.
                int first = low ? 0 : 1;
                int[] order = f.BigEndian ? [first + 2, first + 1, first] : [first, first + 1, first + 2];
                foreach (int byteIndex in order)
                {
                    output.Add((byte)(value >> (8 * byteIndex)));
                }
            }

            return [.. output];
        }

        public static byte[] TranslateTight(PixelFormat f, uint[] pixels)
        {
            if (!(f.BitsPerPixel == 32 && f.Depth == 24 && f.RedMax == 255 && f.GreenMax == 255 && f.BlueMax == 255))
            {
                return Translate(f, pixels);
            }

            var output = new List<byte>();
            foreach (uint p in pixels)
            {
                output.Add((byte)(p >> 16));
                output.Add((byte)(p >> 8));
                output.Add((byte)p);
            }

            return [.. output];
        }
    }
}
