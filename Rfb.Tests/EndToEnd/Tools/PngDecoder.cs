using System.Buffers.Binary;
using System.IO.Compression;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// A deliberately small PNG decoder (W3C PNG specification, second edition) for checking what VNC clients
/// saved: bit depth 8 in colour types 0 (grey), 2 (RGB), 4 (grey + alpha) and 6 (RGBA), not interlaced.
/// Alpha is dropped: the result is <c>0x00RRGGBB</c>. Chunk CRCs are checked. Anything else throws
/// <see cref="NotSupportedException"/> (valid but not handled here) or <see cref="InvalidDataException"/> (malformed).
/// </summary>
internal static class PngDecoder
{
    // 137 'P' 'N' 'G' CR LF SUB LF
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private const int MaxDimension = 1 << 15;

    private static readonly uint[] s_crcTable = CreateCrcTable();

    public static ImageRgb Decode(string path) => Decode(File.ReadAllBytes(path));

    public static ImageRgb Decode(ReadOnlySpan<byte> png)
    {
        if (png.Length < Signature.Length || !png[..Signature.Length].SequenceEqual(Signature))
        {
            throw new InvalidDataException("Not a PNG file: the 8-byte signature is missing.");
        }

        var offset = Signature.Length;
        Header? header = null;
        var idat = new MemoryStream();
        var sawEnd = false;
        while (!sawEnd)
        {
            // Chunk: length (u32 BE, data only) | type (4 ASCII letters) | data | CRC-32 of type and data (u32 BE)
            if (png.Length - offset < 12)
            {
                throw new InvalidDataException($"Truncated chunk header at offset {offset}.");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(png[offset..]);
            if (length > int.MaxValue || length > png.Length - offset - 12)
            {
                throw new InvalidDataException($"Chunk at offset {offset} claims {length} bytes, more than the file holds.");
            }

            var type = png.Slice(offset + 4, 4);
            var data = png.Slice(offset + 8, (int)length);
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(png[(offset + 8 + (int)length)..]);
            var actualCrc = Crc32(png.Slice(offset + 4, 4 + (int)length));
            var name = System.Text.Encoding.ASCII.GetString(type);
            if (storedCrc != actualCrc)
            {
                throw new InvalidDataException($"Chunk '{name}' at offset {offset} has CRC {storedCrc:X8}, computed {actualCrc:X8}.");
            }

            if (header is null && name != "IHDR")
            {
                throw new InvalidDataException($"The first chunk is '{name}', not IHDR.");
            }

            switch (name)
            {
                case "IHDR":
                    if (header is not null)
                    {
                        throw new InvalidDataException("A second IHDR chunk.");
                    }

                    header = ReadHeader(data);
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    // Bit 5 of the first letter clear (upper case) marks a chunk that a decoder must understand.
                    if ((type[0] & 0x20) == 0)
                    {
                        throw new NotSupportedException($"Critical chunk '{name}' is not supported by this decoder.");
                    }

                    break;
            }

            offset += 12 + (int)length;
        }

        if (idat.Length == 0)
        {
            throw new InvalidDataException("The PNG has no IDAT chunk.");
        }

        var h = header!.Value;
        var rowBytes = h.Width * h.Channels;
        var filtered = new byte[(long)h.Height * (1 + rowBytes)];
        idat.Position = 0;
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
        {
            try
            {
                zlib.ReadExactly(filtered);
            }
            catch (EndOfStreamException)
            {
                throw new InvalidDataException($"The image data inflates to fewer than the {filtered.Length} bytes that a {h.Width}x{h.Height} image needs.");
            }
        }

        return Unfilter(h, filtered);
    }

    private static Header ReadHeader(ReadOnlySpan<byte> data)
    {
        // IHDR: width u32 | height u32 | bit depth u8 | colour type u8 | compression u8 | filter u8 | interlace u8
        if (data.Length != 13)
        {
            throw new InvalidDataException($"IHDR holds {data.Length} bytes, not 13.");
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(data);
        var height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        int bitDepth = data[8], colourType = data[9], compression = data[10], filter = data[11], interlace = data[12];
        if (width == 0 || height == 0)
        {
            throw new InvalidDataException($"Image size {width}x{height} is empty.");
        }

        if (width > MaxDimension || height > MaxDimension)
        {
            throw new NotSupportedException($"Image size {width}x{height} is larger than this decoder accepts.");
        }

        if (compression != 0 || filter != 0)
        {
            throw new InvalidDataException($"Unknown compression method {compression} or filter method {filter}.");
        }

        if (interlace != 0)
        {
            throw new NotSupportedException($"Interlaced PNGs (interlace method {interlace}) are not supported by this decoder.");
        }

        var channels = colourType switch
        {
            0 => 1,
            2 => 3,
            4 => 2,
            6 => 4,
            _ => throw new NotSupportedException($"PNG colour type {colourType} is not supported by this decoder (only 0, 2, 4 and 6)."),
        };
        if (bitDepth != 8)
        {
            throw new NotSupportedException($"PNG bit depth {bitDepth} (colour type {colourType}) is not supported by this decoder (only 8).");
        }

        return new Header((int)width, (int)height, colourType, channels);
    }

    private static ImageRgb Unfilter(Header h, byte[] filtered)
    {
        var bpp = h.Channels; // bytes per complete pixel at bit depth 8
        var rowBytes = h.Width * bpp;
        var previous = new byte[rowBytes]; // the row above the first row counts as zeros
        var current = new byte[rowBytes];
        var image = new ImageRgb(h.Width, h.Height);
        for (var y = 0; y < h.Height; y++)
        {
            var line = filtered.AsSpan(y * (1 + rowBytes), 1 + rowBytes);
            var filterType = line[0];
            var source = line[1..];
            for (var i = 0; i < rowBytes; i++)
            {
                int left = i >= bpp ? current[i - bpp] : 0;
                int up = previous[i];
                int upLeft = i >= bpp ? previous[i - bpp] : 0;
                var predictor = filterType switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) >> 1,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"Row {y} uses filter type {filterType}; only 0 to 4 exist."),
                };
                current[i] = (byte)(source[i] + predictor);
            }

            var pixels = image.Pixels.AsSpan(y * h.Width, h.Width);
            for (var x = 0; x < h.Width; x++)
            {
                var p = x * bpp;
                pixels[x] = h.ColourType switch
                {
                    0 or 4 => (uint)(current[p] << 16 | current[p] << 8 | current[p]),
                    _ => (uint)(current[p] << 16 | current[p + 1] << 8 | current[p + 2]),
                };
            }

            (previous, current) = (current, previous);
        }

        return image;
    }

    // The Paeth predictor: of left (a), up (b) and upper left (c), the one nearest to a + b - c; ties go a, b, c.
    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }

    private static uint[] CreateCrcTable()
    {
        // CRC-32 as in ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320.
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    internal static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            c = s_crcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFFu;
    }

    private readonly record struct Header(int Width, int Height, int ColourType, int Channels);
}
