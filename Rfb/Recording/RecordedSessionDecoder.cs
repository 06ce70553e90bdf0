using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using Rfb.Encodings;

namespace Rfb.Recording;

/// <summary>
/// Decodes the server side of a recorded RFB session (the concatenated bytes of an FBS file's
/// blocks) into <see cref="TraceServerInit"/> and <see cref="TraceUpdate"/> events.
/// </summary>
/// <remarks>
/// <para>
/// Bytes are pushed with <see cref="Append"/> in whatever pieces the file holds; messages may
/// cross block boundaries anywhere. The decoder keeps only the unfinished message (at most
/// <see cref="MaxMessageLength"/> bytes) plus what was appended but not yet read, so call
/// <see cref="TryReadEvent"/> until it returns false after each <see cref="Append"/>.
/// </para>
/// <para>
/// What is accepted (the form FBS players and TigerVNC's tools expect):
/// <code>
/// "RFB 003.003\n"                     12 bytes; other versions are refused
/// u32 security type = 1 (None)        RFB 3.3 framing: the server picks the type
/// ServerInit: u16 width, u16 height, 16-byte pixel format, u32 name length, name
/// then server messages:
///   0 FramebufferUpdate: u8 0, u8 pad, u16 count (0xFFFF: until LastRect), rectangles of
///       u16 x, u16 y, u16 w, u16 h, s32 encoding:
///       0 Raw (w*h*4 bytes), 1 CopyRect (u16 srcX, u16 srcY), -223 DesktopSize, -224 LastRect
///   1 SetColourMapEntries: u8 1, u8 pad, u16 first, u16 n, n * 6 bytes      (skipped)
///   2 Bell: u8 2                                                               (skipped)
///   3 ServerCutText: u8 3, 3 pad, u32 length, length bytes                     (skipped)
/// </code>
/// The pixel format must be 32 bpp true colour, little-endian, maxima 255 and shifts 16/8/0
/// (XRGB8888). Every rectangle (and CopyRect source) must lie inside the framebuffer as sized
/// at that point of the update. Anything else raises <see cref="TraceFormatException"/>.
/// </para>
/// </remarks>
public sealed class RecordedSessionDecoder
{
    /// <summary>The default limit on one message: 256 MiB (a full 8192×8192 Raw update).</summary>
    public const int DefaultMaxMessageLength = 256 * 1024 * 1024;

    private const int RectHeaderLength = 12;

    private readonly Queue<(long End, uint TimestampMs)> _blocks = new();
    private readonly List<PendingRect> _walkRects = new();
    private byte[] _buffer = Array.Empty<byte>();
    private int _start;
    private int _end;
    private long _appended;
    private State _state;

    // Progress through a FramebufferUpdate that is not complete yet, so that each Append
    // resumes the walk over rectangle headers instead of starting again.
    private bool _walking;
    private int _walkOffset;
    private int _walkCount;
    private int _walkDone;
    private int _walkWidth;
    private int _walkHeight;
    private long _walkPixelBytes;

    /// <summary>Creates a decoder that refuses any single message longer than <paramref name="maxMessageLength"/> bytes.</summary>
    public RecordedSessionDecoder(int maxMessageLength = DefaultMaxMessageLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageLength, 32);
        MaxMessageLength = maxMessageLength;
    }

    private enum State
    {
        Version,
        Security,
        ServerInit,
        Messages,
    }

    /// <summary>The largest message accepted, in bytes.</summary>
    public int MaxMessageLength { get; }

    /// <summary>Bytes of the stream consumed by the events returned (and messages skipped) so far.</summary>
    public long Position { get; private set; }

    /// <summary>The framebuffer width after the last event returned (0 before ServerInit).</summary>
    public int Width { get; private set; }

    /// <summary>The framebuffer height after the last event returned (0 before ServerInit).</summary>
    public int Height { get; private set; }

    /// <summary>How many Bell, ServerCutText and SetColourMapEntries messages were skipped.</summary>
    public long SkippedMessages { get; private set; }

    /// <summary>
    /// Reads every event of an FBS file, checking at the end that the stream does not stop inside
    /// a message.
    /// </summary>
    public static IEnumerable<TraceEvent> ReadEvents(FbsReader reader, int maxMessageLength = DefaultMaxMessageLength)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var decoder = new RecordedSessionDecoder(maxMessageLength);
        while (reader.TryReadBlock(out ReadOnlyMemory<byte> data, out uint timestampMs))
        {
            decoder.Append(data.Span, timestampMs);
            while (decoder.TryReadEvent(out TraceEvent? e))
            {
                yield return e;
            }
        }

        decoder.Complete();
    }

    /// <summary>Adds the bytes of one FBS block, recorded at <paramref name="timestampMs"/>. The bytes are copied.</summary>
    public void Append(ReadOnlySpan<byte> data, uint timestampMs)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_buffer.Length - _end < data.Length)
        {
            int live = _end - _start;
            long needed = (long)live + data.Length;
            if (needed > Array.MaxLength)
            {
                throw new InvalidOperationException("Too much data appended without reading events.");
            }

            byte[] target = _buffer.Length >= needed
                ? _buffer
                : new byte[(int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2))];
            Buffer.BlockCopy(_buffer, _start, target, 0, live);
            _buffer = target;
            _start = 0;
            _end = live;
        }

        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
        _appended += data.Length;
        _blocks.Enqueue((_appended, timestampMs));
    }

    /// <summary>
    /// Returns the next event if the bytes appended so far complete one. Bell, ServerCutText and
    /// SetColourMapEntries are skipped on the way.
    /// </summary>
    /// <exception cref="TraceFormatException">The stream is malformed or uses something not supported.</exception>
    public bool TryReadEvent([NotNullWhen(true)] out TraceEvent? traceEvent)
    {
        traceEvent = null;
        while (true)
        {
            ReadOnlySpan<byte> buffer = _buffer.AsSpan(_start, _end - _start);
            switch (_state)
            {
                case State.Version:
                    if (buffer.Length < 12)
                    {
                        return false;
                    }

                    if (!buffer[..12].SequenceEqual("RFB 003.003\n"u8))
                    {
                        throw Error(TraceFormatError.UnsupportedVersion, $"The stream starts with \"{Encoding.ASCII.GetString(buffer[..11])}\"; only \"RFB 003.003\" (RFB 3.3 framing, as FBS files use) is supported.");
                    }

                    Consume(12);
                    _state = State.Security;
                    break;

                case State.Security:
                    if (!TryReadSecurity(buffer))
                    {
                        return false;
                    }

                    break;

                case State.ServerInit:
                    if (!TryReadServerInit(buffer, out TraceServerInit? init))
                    {
                        return false;
                    }

                    traceEvent = init;
                    return true;

                default:
                    if (buffer.IsEmpty)
                    {
                        return false;
                    }

                    if (buffer[0] == 0)
                    {
                        if (!TryReadUpdate(buffer, out TraceUpdate? update))
                        {
                            return false;
                        }

                        traceEvent = update;
                        return true;
                    }

                    if (!TrySkipMessage(buffer))
                    {
                        return false;
                    }

                    break;
            }
        }
    }

    /// <summary>Declares the end of the stream.</summary>
    /// <exception cref="TraceFormatException">The stream ended before ServerInit or inside a message.</exception>
    public void Complete()
    {
        if (_state != State.Messages)
        {
            throw Error(TraceFormatError.TruncatedStream, "The stream ends before the end of ServerInit.");
        }

        if (_end > _start)
        {
            throw Error(TraceFormatError.TruncatedStream, $"The stream ends inside a message ({_end - _start} bytes of it present).");
        }
    }

    // u32 security-type: 0 = failed (u32 reason-length, reason), 1 = None, 2 = VNC authentication.
    private bool TryReadSecurity(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < 4)
        {
            return false;
        }

        uint type = BinaryPrimitives.ReadUInt32BigEndian(buffer);
        if (type == 1)
        {
            Consume(4);
            _state = State.ServerInit;
            return true;
        }

        if (type != 0)
        {
            throw Error(TraceFormatError.UnsupportedSecurity, $"The recorded server chose security type {type}; only None (1) is supported.");
        }

        if (buffer.Length < 8)
        {
            return false;
        }

        uint reasonLength = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        CheckLength(8 + (long)reasonLength);
        if (buffer.Length < 8 + reasonLength)
        {
            return false;
        }

        string reason = Encoding.UTF8.GetString(buffer.Slice(8, (int)reasonLength));
        throw Error(TraceFormatError.UnsupportedSecurity, $"The recorded connection failed: \"{reason}\".");
    }

    // ServerInit:
    // +--------+--------+------------------+-------------+------+
    // | u16 w  | u16 h  | 16: pixel format | u32 nameLen | name |
    // +--------+--------+------------------+-------------+------+
    // pixel format: u8 bpp, u8 depth, u8 big-endian, u8 true-colour, u16 red/green/blue max,
    // u8 red/green/blue shift, 3 padding.
    private bool TryReadServerInit(ReadOnlySpan<byte> buffer, [NotNullWhen(true)] out TraceServerInit? init)
    {
        init = null;
        if (buffer.Length < 24)
        {
            return false;
        }

        uint nameLength = BinaryPrimitives.ReadUInt32BigEndian(buffer[20..]);
        CheckLength(24 + (long)nameLength);
        if (buffer.Length < 24 + nameLength)
        {
            return false;
        }

        int width = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        int height = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
        if (width == 0 || height == 0)
        {
            throw Error(TraceFormatError.InvalidFramebufferSize, $"ServerInit announces a {width}x{height} framebuffer.");
        }

        ReadOnlySpan<byte> format = buffer.Slice(4, 16);
        bool xrgb = format[0] == 32
            && format[2] == 0
            && format[3] != 0
            && BinaryPrimitives.ReadUInt16BigEndian(format[4..]) == 255
            && BinaryPrimitives.ReadUInt16BigEndian(format[6..]) == 255
            && BinaryPrimitives.ReadUInt16BigEndian(format[8..]) == 255
            && format[10] == 16
            && format[11] == 8
            && format[12] == 0;
        if (!xrgb)
        {
            throw Error(
                TraceFormatError.UnsupportedPixelFormat,
                $"The recorded pixel format (bpp {format[0]}, depth {format[1]}, big-endian {format[2]}, true colour {format[3]}, " +
                $"max {BinaryPrimitives.ReadUInt16BigEndian(format[4..])}/{BinaryPrimitives.ReadUInt16BigEndian(format[6..])}/{BinaryPrimitives.ReadUInt16BigEndian(format[8..])}, " +
                $"shift {format[10]}/{format[11]}/{format[12]}) is not 32 bpp XRGB8888 little-endian true colour.");
        }

        string name = Encoding.UTF8.GetString(buffer.Slice(24, (int)nameLength));
        int length = 24 + (int)nameLength;
        init = new TraceServerInit(width, height, name, TimestampAt(Position + length));
        Width = width;
        Height = height;
        Consume(length);
        _state = State.Messages;
        return true;
    }

    // FramebufferUpdate:
    // +------+-----+-----------+------------------------------------------------+
    // | u8 0 | pad | u16 count | count × (u16 x, y, w, h, s32 encoding, payload) |
    // +------+-----+-----------+------------------------------------------------+
    // count 0xFFFF: rectangles continue until a LastRect (-224).
    private bool TryReadUpdate(ReadOnlySpan<byte> buffer, [NotNullWhen(true)] out TraceUpdate? update)
    {
        update = null;
        if (!_walking)
        {
            if (buffer.Length < 4)
            {
                return false;
            }

            _walking = true;
            _walkCount = BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]);
            _walkOffset = 4;
            _walkDone = 0;
            _walkWidth = Width;
            _walkHeight = Height;
            _walkPixelBytes = 0;
            _walkRects.Clear();
        }

        while (_walkCount == 0xFFFF || _walkDone < _walkCount)
        {
            CheckLength((long)_walkOffset + RectHeaderLength);
            if (buffer.Length - _walkOffset < RectHeaderLength)
            {
                return false;
            }

            ReadOnlySpan<byte> header = buffer.Slice(_walkOffset, RectHeaderLength);
            int x = BinaryPrimitives.ReadUInt16BigEndian(header);
            int y = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
            int w = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
            int h = BinaryPrimitives.ReadUInt16BigEndian(header[6..]);
            int encoding = BinaryPrimitives.ReadInt32BigEndian(header[8..]);
            int payloadOffset = _walkOffset + RectHeaderLength;
            if (encoding == EncodingType.LastRect)
            {
                _walkOffset = payloadOffset;
                break;
            }

            switch (encoding)
            {
                case EncodingType.Raw:
                {
                    CheckInside("Raw rectangle", x, y, w, h);
                    long pixelBytes = (long)w * h * 4;
                    CheckLength(payloadOffset + pixelBytes);
                    if (buffer.Length < payloadOffset + pixelBytes)
                    {
                        return false;
                    }

                    if (pixelBytes != 0)
                    {
                        _walkRects.Add(new PendingRect(TraceOperationKind.Raw, x, y, w, h, 0, 0, payloadOffset));
                        _walkPixelBytes += pixelBytes;
                    }

                    _walkOffset = payloadOffset + (int)pixelBytes;
                    break;
                }

                case EncodingType.CopyRect:
                {
                    CheckLength((long)payloadOffset + 4);
                    if (buffer.Length < payloadOffset + 4)
                    {
                        return false;
                    }

                    int sourceX = BinaryPrimitives.ReadUInt16BigEndian(buffer[payloadOffset..]);
                    int sourceY = BinaryPrimitives.ReadUInt16BigEndian(buffer[(payloadOffset + 2)..]);
                    CheckInside("CopyRect destination", x, y, w, h);
                    CheckInside("CopyRect source", sourceX, sourceY, w, h);
                    if (w != 0 && h != 0)
                    {
                        _walkRects.Add(new PendingRect(TraceOperationKind.Copy, x, y, w, h, sourceX, sourceY, 0));
                    }

                    _walkOffset = payloadOffset + 4;
                    break;
                }

                case EncodingType.DesktopSize:
                    if (w == 0 || h == 0)
                    {
                        throw Error(TraceFormatError.InvalidFramebufferSize, $"DesktopSize announces a {w}x{h} framebuffer.");
                    }

                    _walkWidth = w;
                    _walkHeight = h;
                    _walkRects.Add(new PendingRect(TraceOperationKind.DesktopSize, 0, 0, w, h, 0, 0, 0));
                    _walkOffset = payloadOffset;
                    break;

                default:
                    throw Error(TraceFormatError.UnknownEncoding, $"Rectangle {_walkDone} of an update uses encoding {encoding}; only Raw, CopyRect, DesktopSize and LastRect are supported.");
            }

            _walkDone++;
        }

        // The whole update is present: copy its pixels out so that the update owns them.
        byte[] pixels = _walkPixelBytes == 0 ? Array.Empty<byte>() : new byte[_walkPixelBytes];
        var operations = new TraceOperation[_walkRects.Count];
        int pixelOffset = 0;
        for (int i = 0; i < operations.Length; i++)
        {
            PendingRect r = _walkRects[i];
            switch (r.Kind)
            {
                case TraceOperationKind.Raw:
                    int length = r.Width * r.Height * 4;
                    buffer.Slice(r.PayloadOffset, length).CopyTo(pixels.AsSpan(pixelOffset));
                    operations[i] = TraceOperation.Raw(r.X, r.Y, r.Width, r.Height, pixels.AsMemory(pixelOffset, length));
                    pixelOffset += length;
                    break;
                case TraceOperationKind.Copy:
                    operations[i] = TraceOperation.Copy(r.SourceX, r.SourceY, r.X, r.Y, r.Width, r.Height);
                    break;
                default:
                    operations[i] = TraceOperation.DesktopSize(r.Width, r.Height);
                    break;
            }
        }

        int messageLength = _walkOffset;
        update = new TraceUpdate(TimestampAt(Position + messageLength), operations);
        Width = _walkWidth;
        Height = _walkHeight;
        _walking = false;
        _walkRects.Clear();
        Consume(messageLength);
        return true;
    }

    private bool TrySkipMessage(ReadOnlySpan<byte> buffer)
    {
        long length;
        switch (buffer[0])
        {
            case 1: // SetColourMapEntries: u8 1, pad, u16 first-colour, u16 n, n × (u16 r, g, b)
                if (buffer.Length < 6)
                {
                    return false;
                }

                length = 6 + 6L * BinaryPrimitives.ReadUInt16BigEndian(buffer[4..]);
                break;
            case 2: // Bell
                length = 1;
                break;
            case 3: // ServerCutText: u8 3, 3 pad, u32 length, text
                if (buffer.Length < 8)
                {
                    return false;
                }

                length = 8 + (long)BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
                break;
            default:
                throw Error(TraceFormatError.UnknownMessage, $"Unknown server message type {buffer[0]}.");
        }

        CheckLength(length);
        if (buffer.Length < length)
        {
            return false;
        }

        Consume((int)length);
        SkippedMessages++;
        return true;
    }

    private void CheckInside(string what, int x, int y, int w, int h)
    {
        if (x + w > _walkWidth || y + h > _walkHeight)
        {
            throw Error(TraceFormatError.RectangleOutsideFramebuffer, $"{what} {w}x{h}+{x}+{y} (rectangle {_walkDone} of an update) reaches outside the {_walkWidth}x{_walkHeight} framebuffer.");
        }
    }

    private void CheckLength(long length)
    {
        if (length > MaxMessageLength)
        {
            throw Error(TraceFormatError.MessageTooLong, $"A message is at least {length} bytes long; the limit is {MaxMessageLength}.");
        }
    }

    // The timestamp of the block holding the stream byte just before offset `end`.
    private uint TimestampAt(long end)
    {
        foreach ((long blockEnd, uint timestampMs) in _blocks)
        {
            if (blockEnd >= end)
            {
                return timestampMs;
            }
        }

        throw new InvalidOperationException("No block holds the end of the message.");
    }

    private void Consume(int length)
    {
        _start += length;
        Position += length;
        if (_start == _end)
        {
            _start = 0;
            _end = 0;
        }

        while (_blocks.Count > 0 && _blocks.Peek().End <= Position)
        {
            _blocks.Dequeue();
        }
    }

    private TraceFormatException Error(TraceFormatError error, string message) =>
        new(error, $"{message} (stream offset {Position})");

    private readonly record struct PendingRect(TraceOperationKind Kind, int X, int Y, int Width, int Height, int SourceX, int SourceY, int PayloadOffset);
}
