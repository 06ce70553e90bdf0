using System.Buffers.Binary;
using System.Numerics;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// Decodes an X Window Dump as written by <c>xwd</c> (file version 7): ZPixmap images of a TrueColor visual at
/// 16, 24 or 32 bits per pixel, pixels in the byte order that the header gives, colours taken through the
/// header's red/green/blue masks and scaled to 8 bits.
/// </summary>
internal static class XwdDecoder
{
    private const int HeaderFields = 25;
    private const int FileVersion = 7;
    private const int ZPixmap = 2;
    private const int TrueColor = 4;
    private const int ColourEntrySize = 12; // pixel u32, red/green/blue u16, flags u8, pad u8

    public static ImageRgb Decode(ReadOnlySpan<byte> xwd)
    {
        // Header: 25 CARD32 fields, in the writer's byte order (xwd writes them big-endian); then the window name
        // (up to header_size), ncolors XWDColor entries, and the image, height rows of bytes_per_line.
        //  0 header_size   1 file_version   2 pixmap_format  3 pixmap_depth  4 pixmap_width  5 pixmap_height
        //  6 xoffset       7 byte_order     8 bitmap_unit    9 bitmap_bit_order 10 bitmap_pad 11 bits_per_pixel
        // 12 bytes_per_line 13 visual_class 14 red_mask     15 green_mask    16 blue_mask   17 bits_per_rgb
        // 18 colormap_entries 19 ncolors    20 window_width 21 window_height 22 window_x    23 window_y
        // 24 window_bdrwidth
        if (xwd.Length < HeaderFields * 4)
        {
            throw new InvalidDataException($"An XWD file is at least {HeaderFields * 4} bytes; this one is {xwd.Length}.");
        }

        bool bigEndianHeader;
        if (BinaryPrimitives.ReadUInt32BigEndian(xwd[4..]) == FileVersion)
        {
            bigEndianHeader = true;
        }
        else if (BinaryPrimitives.ReadUInt32LittleEndian(xwd[4..]) == FileVersion)
        {
            bigEndianHeader = false;
        }
        else
        {
            throw new InvalidDataException("Not an XWD version 7 file.");
        }

        var field = new uint[HeaderFields];
        for (var i = 0; i < HeaderFields; i++)
        {
            var slice = xwd[(i * 4)..];
            field[i] = bigEndianHeader ? BinaryPrimitives.ReadUInt32BigEndian(slice) : BinaryPrimitives.ReadUInt32LittleEndian(slice);
        }

        uint headerSize = field[0], format = field[2], width = field[4], height = field[5], byteOrder = field[7];
        uint bitsPerPixel = field[11], bytesPerLine = field[12], visualClass = field[13], ncolors = field[19];
        uint redMask = field[14], greenMask = field[15], blueMask = field[16];
        if (format != ZPixmap)
        {
            throw new NotSupportedException($"XWD pixmap format {format} is not supported (only ZPixmap, 2).");
        }

        if (visualClass != TrueColor)
        {
            throw new NotSupportedException($"XWD visual class {visualClass} is not supported (only TrueColor, 4).");
        }

        if (bitsPerPixel is not (16 or 24 or 32))
        {
            throw new NotSupportedException($"XWD with {bitsPerPixel} bits per pixel is not supported (only 16, 24, 32).");
        }

        if (redMask == 0 || greenMask == 0 || blueMask == 0)
        {
            throw new InvalidDataException($"XWD colour masks {redMask:X}/{greenMask:X}/{blueMask:X} are not usable.");
        }

        var bytesPerPixel = (int)bitsPerPixel / 8;
        if (width > 1 << 15 || height > 1 << 15 || bytesPerLine < width * bytesPerPixel)
        {
            throw new InvalidDataException($"XWD size {width}x{height} with {bytesPerLine} bytes per line is inconsistent.");
        }

        var dataOffset = (long)headerSize + ((long)ncolors * ColourEntrySize);
        var dataLength = (long)height * bytesPerLine;
        if (headerSize < HeaderFields * 4 || dataOffset + dataLength > xwd.Length)
        {
            throw new InvalidDataException($"XWD file of {xwd.Length} bytes is too short for its header ({headerSize} bytes), {ncolors} colours and {height} rows of {bytesPerLine} bytes.");
        }

        var red = new Channel(redMask);
        var green = new Channel(greenMask);
        var blue = new Channel(blueMask);
        var pixelsBigEndian = byteOrder != 0; // 0 LSBFirst, 1 MSBFirst
        var image = new ImageRgb((int)width, (int)height);
        for (var y = 0; y < (int)height; y++)
        {
            var row = xwd.Slice((int)(dataOffset + (y * bytesPerLine)), (int)bytesPerLine);
            for (var x = 0; x < (int)width; x++)
            {
                var p = row.Slice(x * bytesPerPixel, bytesPerPixel);
                uint value = 0;
                for (var i = 0; i < bytesPerPixel; i++)
                {
                    var b = pixelsBigEndian ? p[i] : p[bytesPerPixel - 1 - i];
                    value = (value << 8) | b;
                }

                image.Pixels[(y * (int)width) + x] = (red.Extract(value) << 16) | (green.Extract(value) << 8) | blue.Extract(value);
            }
        }

        return image;
    }

    private readonly struct Channel
    {
        private readonly uint _mask;
        private readonly int _shift;
        private readonly uint _max;

        public Channel(uint mask)
        {
            _mask = mask;
            _shift = BitOperations.TrailingZeroCount(mask);
            _max = mask >> _shift;
        }

        // Scales the channel to 0..255 (exact for 8-bit channels, rounded otherwise).
        public uint Extract(uint value)
        {
            var v = (value & _mask) >> _shift;
            return _max == 255 ? v : (uint)(((v * 255UL) + (_max / 2)) / _max);
        }
    }
}
