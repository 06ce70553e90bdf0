using System.Buffers.Binary;
using System.IO.Compression;

namespace TraceBench.Client;

/// <summary>
/// The PNG pictures of TightPNG rectangles (PNG specification, ISO/IEC 15948): non-interlaced,
/// 8-bit greyscale, RGB or RGBA, or palette at 1, 2, 4 or 8 bits; alpha is dropped. Chunk CRCs are
/// not checked (the bytes come over TCP); the five scanline filters are undone.
/// </summary>
internal static class PngPictureDecoder
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Decodes <paramref name="png"/> into XRGB8888 little-endian rows of <c>width * 4</c> bytes.</summary>
    /// <exception cref="InvalidDataException">It is not a PNG this decoder reads, or not of that size.</exception>
    public static void Decode(ReadOnlySpan<byte> png, int width, int height, Span<byte> destination)
    {
        if (!png.StartsWith(Signature))
        {
            throw new InvalidDataException("A TightPNG picture does not start with the PNG signature.");
        }

        int w = 0, h = 0, depth = 0, colourType = -1;
        uint[] palette = new uint[256];
        using var idat = new MemoryStream();
        int p = Signature.Length;
        while (true)
        {
            if (p + 8 > png.Length)
            {
                throw new InvalidDataException("A TightPNG picture ends before IEND.");
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(png[p..]);
            ReadOnlySpan<byte> type = png.Slice(p + 4, 4);
            if (length < 0 || p + 12 + length > png.Length)
            {
                throw new InvalidDataException("A TightPNG picture has a chunk that runs past its end.");
            }

            ReadOnlySpan<byte> data = png.Slice(p + 8, length);
            p += 12 + length;
            if (type.SequenceEqual("IHDR"u8))
            {
                w = BinaryPrimitives.ReadInt32BigEndian(data);
                h = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                depth = data[8];
                colourType = data[9];
                if (data[12] != 0)
                {
                    throw new InvalidDataException("A TightPNG picture is interlaced.");
                }
            }
            else if (type.SequenceEqual("PLTE"u8))
            {
                for (int i = 0; i < length / 3; i++)
                {
                    palette[i] = ((uint)data[i * 3] << 16) | ((uint)data[(i * 3) + 1] << 8) | data[(i * 3) + 2];
                }
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                idat.Write(data);
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                break;
            }
        }

        if (w != width || h != height)
        {
            throw new InvalidDataException($"A TightPNG picture is {w}x{h} in a {width}x{height} rectangle.");
        }

        int channels = colourType switch
        {
            0 => 1,
            2 => 3,
            3 => 1,
            6 => 4,
            _ => throw new InvalidDataException($"PNG colour type {colourType} is not read here."),
        };
        if (depth != 8 && !(colourType == 3 && depth is 1 or 2 or 4))
        {
            throw new InvalidDataException($"PNG bit depth {depth} with colour type {colourType} is not read here.");
        }

        int rowBytes = ((width * channels * depth) + 7) / 8;
        int bytesPerPixel = Math.Max(1, channels * depth / 8);
        var rows = new byte[(rowBytes + 1) * height];
        idat.Position = 0;
        using (var inflate = new ZLibStream(idat, CompressionMode.Decompress))
        {
            inflate.ReadExactly(rows);
        }

        var previous = new byte[rowBytes];
        for (int y = 0; y < height; y++)
        {
            Span<byte> row = rows.AsSpan((y * (rowBytes + 1)) + 1, rowBytes);
            Unfilter(rows[y * (rowBytes + 1)], row, previous, bytesPerPixel);
            Span<byte> target = destination.Slice(y * width * 4, width * 4);
            for (int x = 0; x < width; x++)
            {
                uint rgb = colourType switch
                {
                    0 => row[x] * 0x010101u,
                    3 => palette[PaletteIndex(row, x, depth)],
                    _ => ((uint)row[x * channels] << 16) | ((uint)row[(x * channels) + 1] << 8) | row[(x * channels) + 2],
                };
                BinaryPrimitives.WriteUInt32LittleEndian(target[(x * 4)..], rgb);
            }

            row.CopyTo(previous);
        }
    }

    private static int PaletteIndex(ReadOnlySpan<byte> row, int x, int depth)
    {
        if (depth == 8)
        {
            return row[x];
        }

        int perByte = 8 / depth;
        int shift = 8 - (depth * ((x % perByte) + 1));
        return (row[x / perByte] >> shift) & ((1 << depth) - 1);
    }

    private static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0;
            int b = previous[i];
            int c = i >= bpp ? previous[i - bpp] : 0;
            row[i] = filter switch
            {
                0 => row[i],
                1 => (byte)(row[i] + a),
                2 => (byte)(row[i] + b),
                3 => (byte)(row[i] + ((a + b) >> 1)),
                4 => (byte)(row[i] + Paeth(a, b, c)),
                _ => throw new InvalidDataException($"PNG filter type {filter} is not defined."),
            };
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
