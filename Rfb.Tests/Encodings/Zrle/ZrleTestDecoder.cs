using Rfb.Encodings;
using Rfb.Tests.Encodings.Zlib;

namespace Rfb.Tests.Encodings.Zrle;

/// <summary>
/// A small ZRLE decoder written from RFC 6143 §7.7.6, a secondary check beside the real clients:
/// it keeps one inflater for the session and paints CPIXELs, as opaque groups of bytes, into a
/// framebuffer of <c>cpixelBytes</c> bytes per pixel. Anything the RFC does not allow throws.
/// </summary>
internal sealed class ZrleTestDecoder : IDisposable
{
    private readonly ZlibTestInflater _inflater = new();
    private readonly int _bpp;

    public ZrleTestDecoder(int width, int height, int cpixelBytes)
    {
        Width = width;
        Height = height;
        _bpp = cpixelBytes;
        Framebuffer = new byte[width * height * cpixelBytes];
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Framebuffer { get; }

    /// <summary>How many tiles used each subencoding: raw, solid, packed palette, plain RLE, palette RLE.</summary>
    public int[] TileKinds { get; } = new int[5];

    /// <summary>Decodes one ZRLE rectangle from its compressed data; the inflater continues from the previous one.</summary>
    public void Decode(EncodedRectangle rectangle)
    {
        Assert.Equal(EncodingType.Zrle, rectangle.Encoding);
        _inflater.Append(rectangle.Data);
        for (int ty = 0; ty < rectangle.Height; ty += 64)
        {
            for (int tx = 0; tx < rectangle.Width; tx += 64)
            {
                int w = Math.Min(64, rectangle.Width - tx);
                int h = Math.Min(64, rectangle.Height - ty);
                DecodeTile(rectangle.X + tx, rectangle.Y + ty, w, h);
            }
        }
    }

    public void Dispose() => _inflater.Dispose();

    private void DecodeTile(int x, int y, int w, int h)
    {
        var pixels = new byte[w * h][];
        int subencoding = _inflater.ReadByte();
        TileKinds[subencoding switch { 0 => 0, 1 => 1, <= 16 => 2, 128 => 3, _ => 4 }]++;
        if (subencoding == 0)
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = _inflater.Read(_bpp);
            }
        }
        else if (subencoding == 1)
        {
            byte[] colour = _inflater.Read(_bpp);
            Array.Fill(pixels, colour);
        }
        else if (subencoding <= 16)
        {
            byte[][] palette = ReadPalette(subencoding);
            int bits = subencoding == 2 ? 1 : subencoding <= 4 ? 2 : 4;
            for (int row = 0; row < h; row++)
            {
                byte[] packed = _inflater.Read((w * bits + 7) / 8);
                for (int col = 0; col < w; col++)
                {
                    int bit = col * bits;
                    int index = (packed[bit / 8] >> (8 - bits - bit % 8)) & ((1 << bits) - 1);
                    Assert.True(index < palette.Length, $"packed index {index} outside a palette of {palette.Length}");
                    pixels[row * w + col] = palette[index];
                }
            }
        }
        else if (subencoding == 128)
        {
            for (int at = 0; at < pixels.Length;)
            {
                byte[] colour = _inflater.Read(_bpp);
                at = FillRun(pixels, at, colour, ReadRunLength());
            }
        }
        else if (subencoding >= 130)
        {
            byte[][] palette = ReadPalette(subencoding - 128);
            for (int at = 0; at < pixels.Length;)
            {
                int index = _inflater.ReadByte();
                int length = (index & 128) != 0 ? ReadRunLength() : 1;
                index &= 127;
                Assert.True(index < palette.Length, $"palette RLE index {index} outside a palette of {palette.Length}");
                at = FillRun(pixels, at, palette[index], length);
            }
        }
        else
        {
            Assert.Fail($"Subencoding {subencoding} is not defined by RFC 6143.");
        }

        for (int row = 0; row < h; row++)
        {
            for (int col = 0; col < w; col++)
            {
                pixels[row * w + col].CopyTo(Framebuffer, ((y + row) * Width + x + col) * _bpp);
            }
        }
    }

    private byte[][] ReadPalette(int size)
    {
        var palette = new byte[size][];
        for (int i = 0; i < size; i++)
        {
            palette[i] = _inflater.Read(_bpp);
        }

        return palette;
    }

    private int ReadRunLength()
    {
        int length = 1;
        int b;
        do
        {
            b = _inflater.ReadByte();
            length += b;
        }
        while (b == 255);
        return length;
    }

    private static int FillRun(byte[][] pixels, int at, byte[] colour, int length)
    {
        Assert.True(at + length <= pixels.Length, $"a run of {length} at {at} passes the tile's {pixels.Length} pixels");
        pixels.AsSpan(at, length).Fill(colour);
        return at + length;
    }
}
