using System.Buffers;
using System.Buffers.Binary;

namespace Rfb.Encodings;

/// <summary>The 12-byte rectangle header of a FramebufferUpdate (RFC 6143 §7.6.1).</summary>
public static class RectangleHeader
{
    public const int Size = 12;

    //  +-------+-------+-----------+------------+-------------------+
    //  | u16 x | u16 y | u16 width | u16 height | s32 encoding-type |
    //  +-------+-------+-----------+------------+-------------------+
    public static void Write(IBufferWriter<byte> output, int x, int y, int width, int height, int encoding)
    {
        Span<byte> b = output.GetSpan(Size);
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)x);
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(2), (ushort)y);
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(4), (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(6), (ushort)height);
        BinaryPrimitives.WriteInt32BigEndian(b.Slice(8), encoding);
        output.Advance(Size);
    }
}
