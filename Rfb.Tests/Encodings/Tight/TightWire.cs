using System.Buffers.Binary;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>
/// Reads what the Tight encoders wrote, the way the community rfbproto spec lays it out, so
/// that tests can check each field. Zlib data is inflated with .NET's ZLibStream, an inflater
/// independent of the encoders' deflate side; <see cref="TightInflaters"/>
/// keeps each stream's dictionary across rectangles as a client's does.
/// </summary>
internal sealed class TightWire
{
    private readonly byte[] _bytes;
    private int _at;

    public TightWire(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes.ToArray();
    }

    public bool AtEnd => _at == _bytes.Length;

    public (int X, int Y, int Width, int Height, int Encoding) ReadHeader()
    {
        ReadOnlySpan<byte> b = Take(12);
        return (BinaryPrimitives.ReadUInt16BigEndian(b), BinaryPrimitives.ReadUInt16BigEndian(b[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(b[4..]), BinaryPrimitives.ReadUInt16BigEndian(b[6..]),
            BinaryPrimitives.ReadInt32BigEndian(b[8..]));
    }

    public byte ReadByte() => _bytes[_at++];

    public ReadOnlySpan<byte> Take(int count)
    {
        ReadOnlySpan<byte> span = _bytes.AsSpan(_at, count);
        _at += count;
        return span;
    }

    /// <summary>The spec's compact length: 7 bits a byte, low first; a third byte holds 8 bits.</summary>
    public int ReadCompactLength()
    {
        int b0 = ReadByte();
        int value = b0 & 0x7F;
        if ((b0 & 0x80) != 0)
        {
            int b1 = ReadByte();
            value |= (b1 & 0x7F) << 7;
            if ((b1 & 0x80) != 0)
            {
                value |= ReadByte() << 14;
            }
        }

        return value;
    }
}
