using Rfb.Encodings;
using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>
/// ZRLE (RFC 6143 §7.7.6) at 32 bpp depth 24, where a CPIXEL is the pixel's three least
/// significant bytes (blue, green, red for XRGB8888 little-endian): u32 length, zlib data of one
/// stream kept for the connection, holding 64×64 tiles in raster order, each a sub-encoding byte
/// (0 raw, 1 solid, 2–16 packed palette, 128 plain RLE, 130–255 palette RLE) and its data.
/// </summary>
internal sealed class ZrleDecoder : IRectangleDecoder, IDisposable
{
    private const int TileSize = 64;
    private const int CompactPixelBytes = 3;
    private readonly ZlibInflater _stream = new();
    private readonly uint[] _palette = new uint[128];
    private readonly byte[] _tile = new byte[TileSize * TileSize * 4];
    private byte[] _data = new byte[256 * 1024];

    public int Encoding => EncodingType.Zrle;

    public bool DecodesPixels => true;

    public void Decode(RfbInput input, int x, int y, int width, int height, TraceFramebuffer framebuffer)
    {
        uint length = input.ReadU32();
        if (length > 1 << 28)
        {
            throw new InvalidDataException($"A ZRLE rectangle claims {length} bytes.");
        }

        _stream.Feed(input, (int)length);
        int inflated = _stream.ReadAll(ref _data);
        var reader = new SpanReader(_data.AsSpan(0, inflated));
        for (int ty = y; ty < y + height; ty += TileSize)
        {
            int th = Math.Min(TileSize, y + height - ty);
            for (int tx = x; tx < x + width; tx += TileSize)
            {
                int tw = Math.Min(TileSize, x + width - tx);
                DecodeTile(ref reader, tw, th);
                framebuffer.WriteRaw(tx, ty, tw, th, _tile.AsSpan(0, tw * th * 4));
            }
        }

        if (reader.Remaining != 0)
        {
            throw new InvalidDataException($"A ZRLE rectangle {width}x{height}+{x}+{y} left {reader.Remaining} inflated bytes unread.");
        }
    }

    public void Dispose() => _stream.Dispose();

    private void DecodeTile(ref SpanReader reader, int tw, int th)
    {
        Span<uint> tile = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(_tile.AsSpan(0, tw * th * 4));
        int sub = reader.U8();
        if (sub == 0)
        {
            for (int i = 0; i < tile.Length; i++)
            {
                tile[i] = reader.Pixel();
            }
        }
        else if (sub == 1)
        {
            tile.Fill(reader.Pixel());
        }
        else if (sub <= 16)
        {
            ReadPalette(ref reader, sub);
            int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
            int mask = (1 << bits) - 1;
            for (int r = 0; r < th; r++)
            {
                int shift = -1;
                int b = 0;
                for (int c = 0; c < tw; c++)
                {
                    if (shift < 0)
                    {
                        b = reader.U8();
                        shift = 8 - bits;
                    }

                    int index = (b >> shift) & mask;
                    shift -= bits;
                    if (index >= sub)
                    {
                        throw new InvalidDataException($"A ZRLE packed-palette index {index} is outside its {sub} colours.");
                    }

                    tile[(r * tw) + c] = _palette[index];
                }
            }
        }
        else if (sub == 128)
        {
            for (int i = 0; i < tile.Length;)
            {
                uint colour = reader.Pixel();
                int run = RunLength(ref reader);
                FillRun(tile, ref i, run, colour);
            }
        }
        else if (sub >= 130)
        {
            int size = sub - 128;
            ReadPalette(ref reader, size);
            for (int i = 0; i < tile.Length;)
            {
                int index = reader.U8();
                int run = (index & 0x80) != 0 ? RunLength(ref reader) : 1;
                index &= 0x7F;
                if (index >= size)
                {
                    throw new InvalidDataException($"A ZRLE palette-RLE index {index} is outside its {size} colours.");
                }

                FillRun(tile, ref i, run, _palette[index]);
            }
        }
        else
        {
            throw new InvalidDataException($"ZRLE sub-encoding {sub} is not defined.");
        }
    }

    private void ReadPalette(ref SpanReader reader, int size)
    {
        for (int i = 0; i < size; i++)
        {
            _palette[i] = reader.Pixel();
        }
    }

    /// <summary>Bytes of 255 and a last one below 255, summed, plus one.</summary>
    private static int RunLength(ref SpanReader reader)
    {
        int length = 1;
        int b;
        do
        {
            b = reader.U8();
            length += b;
        }
        while (b == 255);
        return length;
    }

    private static void FillRun(Span<uint> tile, ref int i, int run, uint colour)
    {
        if (run > tile.Length - i)
        {
            throw new InvalidDataException($"A ZRLE run of {run} pixels overruns its tile.");
        }

        tile.Slice(i, run).Fill(colour);
        i += run;
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly int Remaining => _data.Length - _position;

        public byte U8()
        {
            if (_position >= _data.Length)
            {
                throw new InvalidDataException("A ZRLE rectangle's inflated data ends inside a tile.");
            }

            return _data[_position++];
        }

        /// <summary>A CPIXEL: blue, green, red.</summary>
        public uint Pixel()
        {
            if (_position + CompactPixelBytes > _data.Length)
            {
                throw new InvalidDataException("A ZRLE rectangle's inflated data ends inside a pixel.");
            }

            uint p = _data[_position] | ((uint)_data[_position + 1] << 8) | ((uint)_data[_position + 2] << 16);
            _position += CompactPixelBytes;
            return p;
        }
    }
}
