using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ConsoleBridge;
using Rfb.Encodings;

namespace Rfb.Protocol;

/// <summary>
/// Writers of server-to-client messages (RFC 6143 §7.6 and the pseudo-encodings of rfbproto).
/// Each reserves its whole size once, writes big-endian fields and advances.
/// </summary>
internal static class ServerMessageWriter
{
    public const byte FramebufferUpdateType = 0;
    public const byte BellType = 2;
    public const byte ServerCutTextType = 3;

    /// <summary>Rectangle count that means "until a LastRect rectangle".</summary>
    public const ushort UnknownRectangleCount = 0xFFFF;

    //  ServerInit
    //  +-----------+------------+--------------------+-----------------+--------------+
    //  | u16 width | u16 height | PIXEL_FORMAT (16)  | u32 name-length | name (UTF-8) |
    //  +-----------+------------+--------------------+-----------------+--------------+
    public static void WriteServerInit(IBufferWriter<byte> output, int width, int height, PixelFormat format, string name)
    {
        int nameLength = Encoding.UTF8.GetByteCount(name);
        int size = 24 + nameLength;
        Span<byte> b = output.GetSpan(size);
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(2), (ushort)height);
        format.Write(b.Slice(4, 16));
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(20), (uint)nameLength);
        Encoding.UTF8.GetBytes(name, b.Slice(24, nameLength));
        output.Advance(size);
    }

    //  FramebufferUpdate header
    //  +------+-------+--------------------------+
    //  | u8 0 | 1 pad | u16 number-of-rectangles |
    //  +------+-------+--------------------------+
    public static void WriteFramebufferUpdateHeader(IBufferWriter<byte> output, ushort rectangleCount)
    {
        Span<byte> b = output.GetSpan(4);
        b[0] = FramebufferUpdateType;
        b[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(2), rectangleCount);
        output.Advance(4);
    }

    //  Rectangle header
    //  +-------+-------+-----------+------------+-------------------+
    //  | u16 x | u16 y | u16 width | u16 height | s32 encoding-type |
    //  +-------+-------+-----------+------------+-------------------+
    public static void WriteRectangleHeader(IBufferWriter<byte> output, PixelRect rect, int encoding) =>
        WriteRectangleHeader(output, rect.X, rect.Y, rect.Width, rect.Height, encoding);

    public static void WriteRectangleHeader(IBufferWriter<byte> output, int x, int y, int width, int height, int encoding) =>
        RectangleHeader.Write(output, x, y, width, height, encoding);

    //  CopyRect rectangle: header (encoding 1), then
    //  +-----------+-----------+
    //  | u16 src-x | u16 src-y |
    //  +-----------+-----------+
    public static void WriteCopyRect(IBufferWriter<byte> output, PixelRect destination, int sourceX, int sourceY)
    {
        WriteRectangleHeader(output, destination, EncodingType.CopyRect);
        Span<byte> b = output.GetSpan(4);
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)sourceX);
        BinaryPrimitives.WriteUInt16BigEndian(b.Slice(2), (ushort)sourceY);
        output.Advance(4);
    }

    /// <summary>DesktopSize pseudo-rectangle: x = y = 0, the new width and height, no data.</summary>
    public static void WriteDesktopSize(IBufferWriter<byte> output, int width, int height) =>
        WriteRectangleHeader(output, 0, 0, width, height, EncodingType.DesktopSize);

    //  ExtendedDesktopSize pseudo-rectangle: header (x = reason, y = status, width, height, -308), then
    //  +-----------------------+-------+
    //  | u8 number-of-screens  | 3 pad |
    //  +-----------------------+-------+
    //  and number-of-screens × SCREEN (u32 id, u16 x, u16 y, u16 width, u16 height, u32 flags).
    public static void WriteExtendedDesktopSize(IBufferWriter<byte> output, int reason, int status, int width, int height, ReadOnlySpan<ScreenLayoutEntry> screens)
    {
        WriteRectangleHeader(output, reason, status, width, height, EncodingType.ExtendedDesktopSize);
        int size = 4 + ScreenLayoutEntry.Size * screens.Length;
        Span<byte> b = output.GetSpan(size);
        b[0] = (byte)screens.Length;
        b[1] = b[2] = b[3] = 0;
        for (int i = 0; i < screens.Length; i++)
        {
            Span<byte> s = b.Slice(4 + ScreenLayoutEntry.Size * i, ScreenLayoutEntry.Size);
            ScreenLayoutEntry e = screens[i];
            BinaryPrimitives.WriteUInt32BigEndian(s, e.Id);
            BinaryPrimitives.WriteUInt16BigEndian(s.Slice(4), (ushort)e.Bounds.X);
            BinaryPrimitives.WriteUInt16BigEndian(s.Slice(6), (ushort)e.Bounds.Y);
            BinaryPrimitives.WriteUInt16BigEndian(s.Slice(8), (ushort)e.Bounds.Width);
            BinaryPrimitives.WriteUInt16BigEndian(s.Slice(10), (ushort)e.Bounds.Height);
            BinaryPrimitives.WriteUInt32BigEndian(s.Slice(12), e.Flags);
        }

        output.Advance(size);
    }

    /// <summary>Largest cursor side the writers accept (as <c>DesktopCursor.MaxDimension</c>).</summary>
    public const int MaxCursorDimension = 256;

    //  Cursor pseudo-rectangle (rfbproto): header (x = hotspot-x, y = hotspot-y, width, height, -239), then
    //  +-------------------------------------------+---------------------------------------+
    //  | width × height pixels in the client format | ((width + 7) / 8) × height mask bytes |
    //  +-------------------------------------------+---------------------------------------+
    //  Mask rows are padded to whole bytes, most significant bit first; a set bit marks a pixel
    //  of the cursor. Pixels with alpha 128 or more are set; colours are the straight-alpha ones.
    /// <summary>Writes a cursor from 0xAARRGGBB pixels (straight alpha) as the rich Cursor pseudo-encoding.</summary>
    public static void WriteCursor(IBufferWriter<byte> output, ReadOnlySpan<uint> argb, int width, int height, int hotspotX, int hotspotY, PixelTranslator translator)
    {
        CheckCursor(argb, width, height);
        WriteRectangleHeader(output, hotspotX, hotspotY, width, height, EncodingType.Cursor);
        int bytesPerPixel = translator.BytesPerPixel;
        int maskRow = (width + 7) / 8;
        int size = width * height * bytesPerPixel + maskRow * height;
        Span<byte> b = output.GetSpan(size);
        Span<uint> row = stackalloc uint[MaxCursorDimension];
        row = row.Slice(0, width);
        Span<byte> mask = b.Slice(width * height * bytesPerPixel, maskRow * height);
        mask.Clear();
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<uint> source = argb.Slice(y * width, width);
            for (int x = 0; x < width; x++)
            {
                row[x] = source[x] & 0x00FFFFFF;
                if (source[x] >> 24 >= 128)
                {
                    mask[y * maskRow + x / 8] |= (byte)(0x80 >> (x % 8));
                }
            }

            translator.TranslateRow(row, b.Slice(y * width * bytesPerPixel, width * bytesPerPixel));
        }

        output.Advance(size);
    }

    //  VMware cursor pseudo-rectangle: header (x = hotspot-x, y = hotspot-y, width, height, 0x574d5664), then
    //  +----------------+-------+------------------------------------------+
    //  | u8 cursor-type | 1 pad | width × height × (u8 R, u8 G, u8 B, u8 A) |
    //  +----------------+-------+------------------------------------------+
    //  Cursor type 1 is the alpha cursor; alpha is straight, as noVNC and TigerVNC's viewer read it.
    /// <summary>Writes a cursor from 0xAARRGGBB pixels (straight alpha) as VMware's alpha cursor.</summary>
    public static void WriteVMwareAlphaCursor(IBufferWriter<byte> output, ReadOnlySpan<uint> argb, int width, int height, int hotspotX, int hotspotY)
    {
        CheckCursor(argb, width, height);
        WriteRectangleHeader(output, hotspotX, hotspotY, width, height, EncodingType.VMwareCursor);
        int size = 2 + width * height * 4;
        Span<byte> b = output.GetSpan(size);
        b[0] = 1;
        b[1] = 0;
        for (int i = 0; i < width * height; i++)
        {
            // 0xAARRGGBB becomes the bytes R, G, B, A.
            uint v = argb[i];
            BinaryPrimitives.WriteUInt32BigEndian(b.Slice(2 + i * 4), (v << 8) | (v >> 24));
        }

        output.Advance(size);
    }

    private static void CheckCursor(ReadOnlySpan<uint> argb, int width, int height)
    {
        if (width < 1 || height < 1 || width > MaxCursorDimension || height > MaxCursorDimension || argb.Length < width * height)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"A cursor of {width}x{height} from {argb.Length} pixels cannot be written.");
        }
    }

    /// <summary>LastRect pseudo-rectangle: all zero, ends an update of unknown rectangle count.</summary>
    public static void WriteLastRect(IBufferWriter<byte> output) =>
        WriteRectangleHeader(output, 0, 0, 0, 0, EncodingType.LastRect);

    //  DesktopName pseudo-rectangle: header (0,0,0,0, -307), then
    //  +-----------------+--------------+
    //  | u32 name-length | name (UTF-8) |
    //  +-----------------+--------------+
    public static void WriteDesktopName(IBufferWriter<byte> output, string name)
    {
        WriteRectangleHeader(output, 0, 0, 0, 0, EncodingType.DesktopName);
        int length = Encoding.UTF8.GetByteCount(name);
        Span<byte> b = output.GetSpan(4 + length);
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)length);
        Encoding.UTF8.GetBytes(name, b.Slice(4));
        output.Advance(4 + length);
    }

    /// <summary>
    /// QEMU extended key event pseudo-rectangle (0,0,0,0, -258): tells the client the server
    /// accepts the extended key event message.
    /// </summary>
    public static void WriteQemuExtendedKeyEventAck(IBufferWriter<byte> output) =>
        WriteRectangleHeader(output, 0, 0, 0, 0, EncodingType.QemuExtendedKeyEvent);

    //  Bell: a single byte, type 2.
    public static void WriteBell(IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = BellType;
        output.Advance(1);
    }

    //  ServerCutText
    //  +------+-------+------------+------------------------+
    //  | u8 3 | 3 pad | u32 length | length × u8 (Latin-1)  |
    //  +------+-------+------------+------------------------+
    /// <summary>Writes cut text; characters outside Latin-1 become '?', as RFC 6143 allows only Latin-1.</summary>
    public static void WriteServerCutText(IBufferWriter<byte> output, string text)
    {
        int size = 8 + text.Length;
        Span<byte> b = output.GetSpan(size);
        b[0] = ServerCutTextType;
        b[1] = b[2] = b[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(b.Slice(4), (uint)text.Length);
        Span<byte> body = b.Slice(8, text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            body[i] = c <= '\u00FF' ? (byte)c : (byte)'?';
        }

        output.Advance(size);
    }

    //  Security handshake pieces.
    //  3.7/3.8 security types:  u8 count, count × u8 type     (count 0: u32 reason-length, reason)
    //  3.3 security type:        u32 type                      (type 0: u32 reason-length, reason)
    //  SecurityResult:           u32 status (0 OK, 1 failed)   (3.8 failure: u32 reason-length, reason)
    public static void WriteSecurityTypes(IBufferWriter<byte> output, ReadOnlySpan<byte> types)
    {
        Span<byte> b = output.GetSpan(1 + types.Length);
        b[0] = (byte)types.Length;
        types.CopyTo(b.Slice(1));
        output.Advance(1 + types.Length);
    }

    public static void WriteUInt32(IBufferWriter<byte> output, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    public static void WriteReason(IBufferWriter<byte> output, string reason)
    {
        int length = Encoding.UTF8.GetByteCount(reason);
        Span<byte> b = output.GetSpan(4 + length);
        BinaryPrimitives.WriteUInt32BigEndian(b, (uint)length);
        Encoding.UTF8.GetBytes(reason, b.Slice(4));
        output.Advance(4 + length);
    }
}
