using System.Buffers.Binary;
using Rfb.Encodings;
using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>
/// Hextile (RFC 6143 §7.7.4) at 4 bytes per pixel: 16×16 tiles in raster order, each a
/// sub-encoding byte (1 Raw, 2 background, 4 foreground, 8 any subrects, 16 coloured subrects)
/// and its data; background and foreground carry over from tile to tile.
/// </summary>
internal sealed class HextileDecoder : IRectangleDecoder
{
    private readonly byte[] _tile = new byte[16 * 16 * 4];

    public int Encoding => EncodingType.Hextile;

    public bool DecodesPixels => true;

    public void Decode(RfbInput input, int x, int y, int width, int height, TraceFramebuffer framebuffer)
    {
        uint background = 0;
        uint foreground = 0;
        Span<byte> pixel = stackalloc byte[4];
        for (int ty = y; ty < y + height; ty += 16)
        {
            int th = Math.Min(16, y + height - ty);
            for (int tx = x; tx < x + width; tx += 16)
            {
                int tw = Math.Min(16, x + width - tx);
                Span<byte> tile = _tile.AsSpan(0, tw * th * 4);
                byte sub = input.ReadU8();
                if ((sub & 1) != 0)
                {
                    input.ReadExactly(tile);
                    framebuffer.WriteRaw(tx, ty, tw, th, tile);
                    continue;
                }

                if ((sub & 2) != 0)
                {
                    input.ReadExactly(pixel);
                    background = BinaryPrimitives.ReadUInt32LittleEndian(pixel);
                }

                if ((sub & 4) != 0)
                {
                    input.ReadExactly(pixel);
                    foreground = BinaryPrimitives.ReadUInt32LittleEndian(pixel);
                }

                Fill(tile, tw, 0, 0, tw, th, background);
                if ((sub & 8) != 0)
                {
                    int count = input.ReadU8();
                    for (int i = 0; i < count; i++)
                    {
                        uint colour = foreground;
                        if ((sub & 16) != 0)
                        {
                            input.ReadExactly(pixel);
                            colour = BinaryPrimitives.ReadUInt32LittleEndian(pixel);
                        }

                        byte xy = input.ReadU8();
                        byte wh = input.ReadU8();
                        int sx = xy >> 4, sy = xy & 15, sw = (wh >> 4) + 1, sh = (wh & 15) + 1;
                        if (sx + sw > tw || sy + sh > th)
                        {
                            throw new InvalidDataException($"A Hextile subrectangle {sw}x{sh}+{sx}+{sy} leaves its {tw}x{th} tile.");
                        }

                        Fill(tile, tw, sx, sy, sw, sh, colour);
                    }
                }

                framebuffer.WriteRaw(tx, ty, tw, th, tile);
            }
        }
    }

    private static void Fill(Span<byte> tile, int tileWidth, int x, int y, int width, int height, uint colour)
    {
        for (int r = y; r < y + height; r++)
        {
            for (int c = x; c < x + width; c++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(tile.Slice(((r * tileWidth) + c) * 4), colour);
            }
        }
    }
}
