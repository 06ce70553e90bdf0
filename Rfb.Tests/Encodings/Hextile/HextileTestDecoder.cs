using System.Buffers.Binary;
using Rfb.Encodings;

namespace Rfb.Tests.Encodings.Hextile;

/// <summary>
/// A small Hextile decoder written from RFC 6143 §7.7.4, a secondary check beside the real
/// clients. Pixels are opaque groups of <c>bytesPerPixel</c> bytes. It is stricter than the RFC
/// where decoders disagree: after a raw tile neither background nor foreground may be reused, and
/// after coloured sub-rectangles the foreground may not, so an encoder that relies on either fails.
/// </summary>
internal sealed class HextileTestDecoder
{
    private readonly int _bpp;

    public HextileTestDecoder(int width, int height, int bytesPerPixel)
    {
        Width = width;
        Height = height;
        _bpp = bytesPerPixel;
        Framebuffer = new byte[width * height * bytesPerPixel];
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Framebuffer { get; }

    /// <summary>Decodes the rectangles in <paramref name="bytes"/> (headers included) and returns how many bytes they took.</summary>
    public int Decode(ReadOnlySpan<byte> bytes, int rectangles)
    {
        int at = 0;
        for (int r = 0; r < rectangles; r++)
        {
            int x = BinaryPrimitives.ReadUInt16BigEndian(bytes[at..]);
            int y = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 2)..]);
            int width = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 4)..]);
            int height = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 6)..]);
            Assert.Equal(EncodingType.Hextile, BinaryPrimitives.ReadInt32BigEndian(bytes[(at + 8)..]));
            at += 12;
            byte[]? background = null;
            byte[]? foreground = null;
            for (int ty = 0; ty < height; ty += 16)
            {
                for (int tx = 0; tx < width; tx += 16)
                {
                    int w = Math.Min(16, width - tx);
                    int h = Math.Min(16, height - ty);
                    at = DecodeTile(bytes, at, x + tx, y + ty, w, h, ref background, ref foreground);
                }
            }
        }

        return at;
    }

    private int DecodeTile(ReadOnlySpan<byte> bytes, int at, int x, int y, int w, int h, ref byte[]? background, ref byte[]? foreground)
    {
        byte mask = bytes[at++];
        if ((mask & 1) != 0)
        {
            for (int row = 0; row < h; row++)
            {
                for (int col = 0; col < w; col++)
                {
                    Paint(x + col, y + row, bytes.Slice(at, _bpp));
                    at += _bpp;
                }
            }

            background = null;
            foreground = null;
            return at;
        }

        if ((mask & 2) != 0)
        {
            background = bytes.Slice(at, _bpp).ToArray();
            at += _bpp;
        }

        Assert.True(background is not null, $"tile at ({x}, {y}) reuses a background that is not known");
        if ((mask & 4) != 0)
        {
            Assert.True((mask & 16) == 0, "ForegroundSpecified together with SubrectsColoured");
            foreground = bytes.Slice(at, _bpp).ToArray();
            at += _bpp;
        }

        for (int row = 0; row < h; row++)
        {
            for (int col = 0; col < w; col++)
            {
                Paint(x + col, y + row, background);
            }
        }

        if ((mask & 8) == 0)
        {
            return at;
        }

        int count = bytes[at++];
        bool coloured = (mask & 16) != 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> colour;
            if (coloured)
            {
                colour = bytes.Slice(at, _bpp);
                at += _bpp;
            }
            else
            {
                Assert.True(foreground is not null, $"tile at ({x}, {y}) reuses a foreground that is not known");
                colour = foreground;
            }

            int sx = bytes[at] >> 4;
            int sy = bytes[at] & 15;
            int sw = (bytes[at + 1] >> 4) + 1;
            int sh = (bytes[at + 1] & 15) + 1;
            at += 2;
            Assert.True(sx + sw <= w && sy + sh <= h, $"sub-rectangle {sw}x{sh}+{sx}+{sy} outside a {w}x{h} tile");
            for (int row = 0; row < sh; row++)
            {
                for (int col = 0; col < sw; col++)
                {
                    Paint(x + sx + col, y + sy + row, colour);
                }
            }
        }

        if (coloured)
        {
            foreground = null;
        }

        return at;
    }

    private void Paint(int x, int y, ReadOnlySpan<byte> colour) => colour.CopyTo(Framebuffer.AsSpan((y * Width + x) * _bpp, _bpp));
}
