using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Rfb.Tests.Recording;

/// <summary>
/// A second, deliberately plain decoder of a whole (small) trace, sharing no code with
/// Rfb.Recording: the file is decompressed into memory, the blocks are concatenated, and the
/// stream is walked with simple loops. CopyRect goes through a temporary copy of the source, so
/// overlap handling cannot be wrong in the same way as the library's in-place move.
/// </summary>
internal sealed class IndependentTraceDecoder
{
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>The final frame, one little-endian XRGB8888 word per pixel, as the bytes arrived.</summary>
    public uint[] Frame { get; private set; } = [];

    public int Updates { get; private set; }

    public int RawRects { get; private set; }

    public int CopyRects { get; private set; }

    public static IndependentTraceDecoder Decode(string path)
    {
        byte[] file;
        using (FileStream input = File.OpenRead(path))
        using (var zstd = new DecompressionStream(input))
        using (var memory = new MemoryStream())
        {
            zstd.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, 27);
            zstd.CopyTo(memory);
            file = memory.ToArray();
        }

        // Blocks: u32 length (big-endian), bytes, padding to 4, u32 timestamp.
        var stream = new MemoryStream();
        int p = 12;
        while (p < file.Length)
        {
            int length = (file[p] << 24) | (file[p + 1] << 16) | (file[p + 2] << 8) | file[p + 3];
            stream.Write(file, p + 4, length);
            p += 4 + length;
            while (p % 4 != 0)
            {
                p++;
            }

            p += 4;
        }

        var decoder = new IndependentTraceDecoder();
        decoder.Walk(stream.ToArray());
        return decoder;
    }

    private static int U16(byte[] s, int p) => (s[p] << 8) | s[p + 1];

    private static int S32(byte[] s, int p) => (s[p] << 24) | (s[p + 1] << 16) | (s[p + 2] << 8) | s[p + 3];

    private void Walk(byte[] s)
    {
        // "RFB 003.003\n", security (4), width, height, pixel format (16), name length, name.
        Width = U16(s, 16);
        Height = U16(s, 18);
        Frame = new uint[Width * Height];
        int p = 40 + S32(s, 36);
        while (p < s.Length)
        {
            if (s[p] != 0)
            {
                throw new InvalidDataException($"The test traces hold only updates; found message type {s[p]}.");
            }

            int count = U16(s, p + 2);
            p += 4;
            for (int r = 0; count == 0xFFFF || r < count; r++)
            {
                int x = U16(s, p);
                int y = U16(s, p + 2);
                int w = U16(s, p + 4);
                int h = U16(s, p + 6);
                int encoding = S32(s, p + 8);
                p += 12;
                if (encoding == -224)
                {
                    break;
                }

                if (encoding == 0)
                {
                    for (int row = 0; row < h; row++)
                    {
                        for (int col = 0; col < w; col++)
                        {
                            int q = p + (row * w + col) * 4;
                            Frame[(y + row) * Width + x + col] = (uint)(s[q] | (s[q + 1] << 8) | (s[q + 2] << 16) | (s[q + 3] << 24));
                        }
                    }

                    p += w * h * 4;
                    RawRects++;
                }
                else if (encoding == 1)
                {
                    int sx = U16(s, p);
                    int sy = U16(s, p + 2);
                    p += 4;
                    var temporary = new uint[w * h];
                    for (int row = 0; row < h; row++)
                    {
                        for (int col = 0; col < w; col++)
                        {
                            temporary[row * w + col] = Frame[(sy + row) * Width + sx + col];
                        }
                    }

                    for (int row = 0; row < h; row++)
                    {
                        for (int col = 0; col < w; col++)
                        {
                            Frame[(y + row) * Width + x + col] = temporary[row * w + col];
                        }
                    }

                    CopyRects++;
                }
                else if (encoding == -223)
                {
                    Width = w;
                    Height = h;
                    Frame = new uint[w * h];
                }
                else
                {
                    throw new InvalidDataException($"Unexpected encoding {encoding} in a test trace.");
                }
            }

            Updates++;
        }
    }
}
