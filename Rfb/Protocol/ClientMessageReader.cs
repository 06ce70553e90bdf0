using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ConsoleBridge;
using Rfb.Encodings;

namespace Rfb.Protocol;

/// <summary>
/// Parses client-to-server messages (RFC 6143 §7.5). No I/O: each call either consumes one whole
/// message from the front of the buffer and returns true, or returns false and leaves the buffer
/// as it was because more bytes are needed. Lengths are checked against
/// <see cref="ClientMessageLimits"/> before anything is sliced; violations throw
/// <see cref="RfbProtocolException"/>.
/// </summary>
internal static class ClientMessageReader
{
    /// <param name="buffer">The received bytes; on success, what follows the message.</param>
    /// <param name="limits">Length limits.</param>
    /// <param name="message">The message read.</param>
    /// <param name="acceptSetDesktopSize">
    /// Whether SetDesktopSize (251) is a known message: only for clients that announced the
    /// ExtendedDesktopSize pseudo-encoding. Otherwise 251 is an unknown type, as for any server
    /// that never offered it.
    /// </param>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, ClientMessageLimits limits, out ClientMessage message, bool acceptSetDesktopSize = false)
    {
        message = default;
        if (buffer.IsEmpty)
        {
            return false;
        }

        byte type = buffer.FirstSpan[0];
        return type switch
        {
            ClientMessageType.SetPixelFormat => TryReadSetPixelFormat(ref buffer, out message),
            ClientMessageType.SetEncodings => TryReadSetEncodings(ref buffer, limits, out message),
            ClientMessageType.FramebufferUpdateRequest => TryReadUpdateRequest(ref buffer, out message),
            ClientMessageType.KeyEvent => TryReadKeyEvent(ref buffer, out message),
            ClientMessageType.PointerEvent => TryReadPointerEvent(ref buffer, out message),
            ClientMessageType.ClientCutText => TryReadCutText(ref buffer, limits, out message),
            ClientMessageType.Qemu => TryReadQemu(ref buffer, out message),
            ClientMessageType.SetDesktopSize when acceptSetDesktopSize => TryReadSetDesktopSize(ref buffer, out message),
            _ => throw new RfbProtocolException($"Unknown client message type {type}."),
        };
    }

    //  SetPixelFormat
    //  +------+---------+--------------------+
    //  | u8 0 | 3 pad   | PIXEL_FORMAT (16)  |   20 bytes
    //  +------+---------+--------------------+
    private static bool TryReadSetPixelFormat(ref ReadOnlySequence<byte> buffer, out ClientMessage message)
    {
        const int Size = 20;
        message = default;
        if (buffer.Length < Size)
        {
            return false;
        }

        Span<byte> b = stackalloc byte[Size];
        buffer.Slice(0, Size).CopyTo(b);
        PixelFormat format = PixelFormat.Read(b.Slice(4, 16));
        if (!format.TryValidate(out string? reason))
        {
            throw new RfbProtocolException($"SetPixelFormat refused: {reason}");
        }

        buffer = buffer.Slice(Size);
        message = new ClientMessage { Kind = ClientMessageKind.SetPixelFormat, PixelFormat = format };
        return true;
    }

    //  SetEncodings
    //  +------+-------+--------------+---------------------------+
    //  | u8 2 | 1 pad | u16 count    | count × s32 encoding-type |
    //  +------+-------+--------------+---------------------------+
    private static bool TryReadSetEncodings(ref ReadOnlySequence<byte> buffer, ClientMessageLimits limits, out ClientMessage message)
    {
        const int Header = 4;
        message = default;
        if (buffer.Length < Header)
        {
            return false;
        }

        Span<byte> h = stackalloc byte[Header];
        buffer.Slice(0, Header).CopyTo(h);
        int count = BinaryPrimitives.ReadUInt16BigEndian(h.Slice(2));
        if (count > limits.MaxEncodings)
        {
            throw new RfbProtocolException($"SetEncodings lists {count} encodings; the limit is {limits.MaxEncodings}.");
        }

        long size = Header + 4L * count;
        if (buffer.Length < size)
        {
            return false;
        }

        var encodings = new int[count];
        var reader = new SequenceReader<byte>(buffer.Slice(Header, size - Header));
        for (int i = 0; i < count; i++)
        {
            reader.TryReadBigEndian(out encodings[i]);
        }

        buffer = buffer.Slice(size);
        message = new ClientMessage { Kind = ClientMessageKind.SetEncodings, Encodings = encodings };
        return true;
    }

    //  FramebufferUpdateRequest
    //  +------+----------------+-------+-------+-----------+------------+
    //  | u8 3 | u8 incremental | u16 x | u16 y | u16 width | u16 height |   10 bytes
    //  +------+----------------+-------+-------+-----------+------------+
    private static bool TryReadUpdateRequest(ref ReadOnlySequence<byte> buffer, out ClientMessage message)
    {
        const int Size = 10;
        message = default;
        Span<byte> b = stackalloc byte[Size];
        if (!TryTake(ref buffer, b))
        {
            return false;
        }

        message = new ClientMessage
        {
            Kind = ClientMessageKind.FramebufferUpdateRequest,
            Incremental = b[1] != 0,
            Rect = new PixelRect(
                BinaryPrimitives.ReadUInt16BigEndian(b.Slice(2)),
                BinaryPrimitives.ReadUInt16BigEndian(b.Slice(4)),
                BinaryPrimitives.ReadUInt16BigEndian(b.Slice(6)),
                BinaryPrimitives.ReadUInt16BigEndian(b.Slice(8))),
        };
        return true;
    }

    //  KeyEvent
    //  +------+-------------+-------+-----------+
    //  | u8 4 | u8 down     | 2 pad | u32 key   |   8 bytes
    //  +------+-------------+-------+-----------+
    private static bool TryReadKeyEvent(ref ReadOnlySequence<byte> buffer, out ClientMessage message)
    {
        const int Size = 8;
        message = default;
        Span<byte> b = stackalloc byte[Size];
        if (!TryTake(ref buffer, b))
        {
            return false;
        }

        message = new ClientMessage
        {
            Kind = ClientMessageKind.KeyEvent,
            Down = b[1] != 0,
            Keysym = BinaryPrimitives.ReadUInt32BigEndian(b.Slice(4)),
        };
        return true;
    }

    //  PointerEvent
    //  +------+----------------+-------+-------+
    //  | u8 5 | u8 button-mask | u16 x | u16 y |   6 bytes
    //  +------+----------------+-------+-------+
    private static bool TryReadPointerEvent(ref ReadOnlySequence<byte> buffer, out ClientMessage message)
    {
        const int Size = 6;
        message = default;
        Span<byte> b = stackalloc byte[Size];
        if (!TryTake(ref buffer, b))
        {
            return false;
        }

        message = new ClientMessage
        {
            Kind = ClientMessageKind.PointerEvent,
            ButtonMask = b[1],
            Rect = new PixelRect(BinaryPrimitives.ReadUInt16BigEndian(b.Slice(2)), BinaryPrimitives.ReadUInt16BigEndian(b.Slice(4)), 1, 1),
        };
        return true;
    }

    //  ClientCutText
    //  +------+-------+------------+------------------------+
    //  | u8 6 | 3 pad | u32 length | length × u8 (Latin-1)  |
    //  +------+-------+------------+------------------------+
    private static bool TryReadCutText(ref ReadOnlySequence<byte> buffer, ClientMessageLimits limits, out ClientMessage message)
    {
        const int Header = 8;
        message = default;
        if (buffer.Length < Header)
        {
            return false;
        }

        Span<byte> h = stackalloc byte[Header];
        buffer.Slice(0, Header).CopyTo(h);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(h.Slice(4));
        if (length > (uint)limits.MaxCutTextBytes)
        {
            // A negative length (top bit set) would be the Extended Clipboard form, which this
            // server does not announce, so it is refused like any other oversized length.
            throw new RfbProtocolException($"ClientCutText of {length} bytes exceeds the limit of {limits.MaxCutTextBytes} bytes.");
        }

        if (buffer.Length < Header + length)
        {
            return false;
        }

        string text = Encoding.Latin1.GetString(buffer.Slice(Header, length));
        buffer = buffer.Slice(Header + length);
        message = new ClientMessage { Kind = ClientMessageKind.ClientCutText, Text = text };
        return true;
    }

    //  SetDesktopSize (rfbproto)
    //  +--------+-------+-----------+------------+-----------------------+-------+
    //  | u8 251 | 1 pad | u16 width | u16 height | u8 number-of-screens  | 1 pad |   8 bytes
    //  +--------+-------+-----------+------------+-----------------------+-------+
    //  then number-of-screens × SCREEN:
    //  +--------+-------+-------+-----------+------------+-----------+
    //  | u32 id | u16 x | u16 y | u16 width | u16 height | u32 flags |   16 bytes
    //  +--------+-------+-------+-----------+------------+-----------+
    //  The one-byte count bounds the message to 8 + 255 × 16 bytes. The layout's meaning (empty
    //  screens, repeated ids) is judged by the session, which answers with a status, not here.
    private static bool TryReadSetDesktopSize(ref ReadOnlySequence<byte> buffer, out ClientMessage message)
    {
        const int Header = 8;
        message = default;
        if (buffer.Length < Header)
        {
            return false;
        }

        Span<byte> h = stackalloc byte[Header];
        buffer.Slice(0, Header).CopyTo(h);
        int count = h[6];
        long size = Header + (long)ScreenLayoutEntry.Size * count;
        if (buffer.Length < size)
        {
            return false;
        }

        var screens = new ScreenLayoutEntry[count];
        Span<byte> s = stackalloc byte[ScreenLayoutEntry.Size];
        for (int i = 0; i < count; i++)
        {
            buffer.Slice(Header + ScreenLayoutEntry.Size * i, ScreenLayoutEntry.Size).CopyTo(s);
            screens[i] = new ScreenLayoutEntry(
                BinaryPrimitives.ReadUInt32BigEndian(s),
                new PixelRect(
                    BinaryPrimitives.ReadUInt16BigEndian(s.Slice(4)),
                    BinaryPrimitives.ReadUInt16BigEndian(s.Slice(6)),
                    BinaryPrimitives.ReadUInt16BigEndian(s.Slice(8)),
                    BinaryPrimitives.ReadUInt16BigEndian(s.Slice(10))),
                BinaryPrimitives.ReadUInt32BigEndian(s.Slice(12)));
        }

        buffer = buffer.Slice(size);
        message = new ClientMessage
        {
            Kind = ClientMessageKind.SetDesktopSize,
            DesktopSize = new SetDesktopSizeRequest(BinaryPrimitives.ReadUInt16BigEndian(h.Slice(2)), BinaryPrimitives.ReadUInt16BigEndian(h.Slice(4)), screens),
        };
        return true;
    }

    //  QEMU client message, subtype 0: extended key event
    //  +--------+------------+-------------+-------------+--------------+
    //  | u8 255 | u8 subtype | u16 down    | u32 keysym  | u32 keycode  |   12 bytes
    //  +--------+------------+-------------+-------------+--------------+
    private static bool TryReadQemu(ref ReadOnlySequence<byte> buffer, out ClientMessage message)
    {
        const int Size = 12;
        message = default;
        if (buffer.Length < 2)
        {
            return false;
        }

        byte subtype = buffer.Slice(1, 1).FirstSpan[0];
        if (subtype != ClientMessageType.QemuExtendedKeyEvent)
        {
            throw new RfbProtocolException($"Unsupported QEMU client message subtype {subtype}.");
        }

        if (buffer.Length < Size)
        {
            return false;
        }

        Span<byte> b = stackalloc byte[Size];
        buffer.Slice(0, Size).CopyTo(b);
        buffer = buffer.Slice(Size);
        message = new ClientMessage
        {
            Kind = ClientMessageKind.QemuExtendedKeyEvent,
            Down = BinaryPrimitives.ReadUInt16BigEndian(b.Slice(2)) != 0,
            Keysym = BinaryPrimitives.ReadUInt32BigEndian(b.Slice(4)),
            Scancode = NormalizeScancode(BinaryPrimitives.ReadUInt32BigEndian(b.Slice(8))),
        };
        return true;
    }

    /// <summary>
    /// On the wire an extended (0xE0-prefixed) key is the XT code with bit 7 set, as QEMU's key
    /// numbers are (noVNC sends Right Ctrl, XT E0 1D, as 0x9D). Hosts get 0xE0nn for those.
    /// </summary>
    internal static uint NormalizeScancode(uint wire) =>
        wire is >= 0x80 and <= 0xFF ? 0xE000u | (wire & 0x7F) : wire;

    /// <summary>Copies the next <c>destination.Length</c> bytes out and consumes them, or returns false when fewer are buffered.</summary>
    private static bool TryTake(ref ReadOnlySequence<byte> buffer, Span<byte> destination)
    {
        if (buffer.Length < destination.Length)
        {
            return false;
        }

        buffer.Slice(0, destination.Length).CopyTo(destination);
        buffer = buffer.Slice(destination.Length);
        return true;
    }
}
