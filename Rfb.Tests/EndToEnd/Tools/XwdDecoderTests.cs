using System.Buffers.Binary;

namespace Rfb.Tests.EndToEnd.Tools;

public sealed class XwdDecoderTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Decode_XwdOfXvfbRootWithTiledBitmap_GivesTheTiledPattern()
    {
        var xsetroot = RequiredTool.Locate("xsetroot", "x11-xserver-utils");
        var cancel = TestContext.Current.CancellationToken;
        await using var display = await XvfbDisplay.StartAsync(101, 67, s_timeout, cancel);
        var directory = Directory.CreateTempSubdirectory("xwd-");
        try
        {
            var pattern = XbmPattern.Asymmetric;
            var bitmap = pattern.WriteTo(directory.FullName);
            await display.RunClientCheckedAsync(xsetroot, ["-bitmap", bitmap, "-fg", "#123456", "-bg", "#fedcba"], s_timeout, cancel);

            var image = await display.CaptureWindowAsync("root", s_timeout, cancel);

            ImageAssert.Equal(pattern.Tile(101, 67, 0x123456, 0xFEDCBA), image);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Decode_BigEndianPixels24Bpp_ReadsMasks()
    {
        // Two pixels, 3 bytes each, most significant byte first; rows padded to 8 bytes.
        var xwd = Build(bigEndianHeader: true, bitsPerPixel: 24, pixelByteOrder: 1, bytesPerLine: 8, masks: (0xFF0000, 0x00FF00, 0x0000FF),
            width: 2, height: 1, data: [0x11, 0x22, 0x33, 0xA0, 0xB0, 0xC0, 0xEE, 0xEE]);
        ImageAssert.Equal(new ImageRgb(2, 1, [0x112233, 0xA0B0C0]), XwdDecoder.Decode(xwd));
    }

    [Fact]
    public void Decode_LittleEndianHeaderAndBgrMasks32Bpp_ReadsMasks()
    {
        // Header written least significant byte first; pixels LSBFirst with blue in the high byte (masks 0xFF, 0xFF00, 0xFF0000).
        var xwd = Build(bigEndianHeader: false, bitsPerPixel: 32, pixelByteOrder: 0, bytesPerLine: 4, masks: (0x0000FF, 0x00FF00, 0xFF0000),
            width: 1, height: 2, data: [0x11, 0x22, 0x33, 0x00, 0x44, 0x55, 0x66, 0x00]);
        // Pixel values 0x00332211 and 0x00665544: red is the low byte.
        ImageAssert.Equal(new ImageRgb(1, 2, [0x112233, 0x445566]), XwdDecoder.Decode(xwd));
    }

    [Fact]
    public void Decode_Rgb565_ScalesChannelsTo8Bits()
    {
        // 0xF800 = red 31/31 -> 255; 0x0400 = green 32/63 -> round(32 * 255 / 63) = 130; 0x0010 = blue 16/31 -> round(16 * 255 / 31) = 132.
        var xwd = Build(bigEndianHeader: true, bitsPerPixel: 16, pixelByteOrder: 0, bytesPerLine: 6, masks: (0xF800, 0x07E0, 0x001F),
            width: 3, height: 1, data: [0x00, 0xF8, 0x00, 0x04, 0x10, 0x00]);
        ImageAssert.Equal(new ImageRgb(3, 1, [0xFF0000, 0x008200, 0x000084]), XwdDecoder.Decode(xwd));
    }

    [Fact]
    public void Decode_Truncated_ThrowsInvalidData()
    {
        var xwd = Build(bigEndianHeader: true, bitsPerPixel: 32, pixelByteOrder: 0, bytesPerLine: 4, masks: (0xFF0000, 0xFF00, 0xFF),
            width: 1, height: 2, data: [1, 2, 3, 0]);
        Assert.Throws<InvalidDataException>(() => XwdDecoder.Decode(xwd));
    }

    // An XWD file laid out as X11's XWDFile.h describes it: 25 CARD32 header fields, a window name that ends the
    // header, one XWDColor entry (12 bytes) and the image rows.
    private static byte[] Build(bool bigEndianHeader, int bitsPerPixel, int pixelByteOrder, int bytesPerLine, (uint R, uint G, uint B) masks, int width, int height, byte[] data)
    {
        byte[] name = [(byte)'w', 0];
        var headerSize = (25 * 4) + name.Length;
        uint[] fields =
        [
            (uint)headerSize, 7, 2, 24, (uint)width, (uint)height, 0, (uint)pixelByteOrder, 32, (uint)pixelByteOrder, 32,
            (uint)bitsPerPixel, (uint)bytesPerLine, 4, masks.R, masks.G, masks.B, 8, 256, 1, (uint)width, (uint)height, 0, 0, 0,
        ];
        var file = new byte[headerSize + 12 + data.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            if (bigEndianHeader)
            {
                BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(i * 4), fields[i]);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(i * 4), fields[i]);
            }
        }

        name.CopyTo(file, 100);
        data.CopyTo(file, headerSize + 12);
        return file;
    }
}
