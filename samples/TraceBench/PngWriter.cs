using System.Buffers.Binary;
using System.IO.Compression;
using Rfb.Recording;

namespace TraceBench;

/// <summary>Writes a framebuffer as an 8-bit RGB PNG (ISO/IEC 15948): IHDR, one zlib IDAT with filter 0 rows, IEND.</summary>
internal static class PngWriter
{
    private static readonly uint[] s_crcTable = BuildCrcTable();

    public static void Write(string path, TraceFramebuffer framebuffer)
    {
        using var file = File.Create(path);
        Write(file, framebuffer);
    }

    public static void Write(Stream output, TraceFramebuffer framebuffer)
    {
        int width = framebuffer.Width, height = framebuffer.Height;
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // truecolour
        WriteChunk(output, "IHDR", ihdr);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[1 + (width * 3)];
            for (int y = 0; y < height; y++)
            {
                ReadOnlySpan<byte> source = framebuffer.Pixels.AsSpan(y * framebuffer.Stride, width * 4);
                for (int x = 0; x < width; x++)
                {
                    row[1 + (x * 3)] = source[(x * 4) + 2];
                    row[2 + (x * 3)] = source[(x * 4) + 1];
                    row[3 + (x * 3)] = source[x * 4];
                }

                zlib.Write(row);
            }
        }

        WriteChunk(output, "IDAT", compressed.ToArray());
        WriteChunk(output, "IEND", []);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        output.Write(word);
        Span<byte> typeBytes = stackalloc byte[4];
        System.Text.Encoding.ASCII.GetBytes(type, typeBytes);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Crc(Crc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc = s_crcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
