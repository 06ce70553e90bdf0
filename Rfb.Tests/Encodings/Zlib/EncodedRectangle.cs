using System.Buffers.Binary;

namespace Rfb.Tests.Encodings.Zlib;

/// <summary>One rectangle as written on the wire: its 12-byte header and, for zlib encodings, the length-prefixed data.</summary>
internal readonly record struct EncodedRectangle(int X, int Y, int Width, int Height, int Encoding, byte[] Data)
{
    /// <summary>
    /// Parses a rectangle whose data is a u32 length and that many bytes (Zlib, ZRLE) at
    /// <paramref name="offset"/>; advances the offset past it.
    /// </summary>
    public static EncodedRectangle ReadLengthPrefixed(ReadOnlySpan<byte> bytes, ref int offset)
    {
        ReadOnlySpan<byte> b = bytes[offset..];
        int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(b[12..]));
        var rectangle = new EncodedRectangle(
            BinaryPrimitives.ReadUInt16BigEndian(b),
            BinaryPrimitives.ReadUInt16BigEndian(b[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(b[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(b[6..]),
            BinaryPrimitives.ReadInt32BigEndian(b[8..]),
            b.Slice(16, length).ToArray());
        offset += 16 + length;
        return rectangle;
    }

    /// <summary>Parses exactly one length-prefixed rectangle that fills <paramref name="bytes"/>.</summary>
    public static EncodedRectangle ReadSingle(ReadOnlySpan<byte> bytes)
    {
        int offset = 0;
        EncodedRectangle rectangle = ReadLengthPrefixed(bytes, ref offset);
        Assert.Equal(bytes.Length, offset);
        return rectangle;
    }
}
