using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Rfb.Encodings;
using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>
/// The RFB client at the far end of the bench: RFB 3.3/3.7/3.8 with security None, 32 bpp
/// XRGB8888, one FramebufferUpdateRequest outstanding (the next incremental one is sent as soon as
/// an update's last byte is read), every byte read and every rectangle decoded into its own
/// framebuffer where a decoder exists (<see cref="IRectangleDecoder"/>).
/// </summary>
/// <remarks>
/// An update is either read and decoded at once (<see cref="ReadUpdate()"/>), or only framed
/// (<see cref="FrameUpdate"/>: its bytes read, its payloads' lengths found by
/// <see cref="PayloadFraming"/>) so that another thread decodes it later from a copy of the bytes
/// (<see cref="DecodeUpdate"/>), in the order they came. While updates are framed, the reading
/// thread touches only the socket and the size it tracks itself, never <see cref="Framebuffer"/>.
/// </remarks>
internal sealed class MeasuringClient : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Dictionary<int, IRectangleDecoder> _decoders = new();

    // The framebuffer's size as the reading thread knows it (ServerInit, then DesktopSize
    // rectangles as they are read), so that framing needs no framebuffer.
    private int _width;
    private int _height;

    private MeasuringClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        Input = new RfbInput(_stream);
        foreach (IRectangleDecoder d in DefaultDecoders())
        {
            _decoders[d.Encoding] = d;
        }
    }

    public RfbInput Input { get; }

    /// <summary>The client's copy of the framebuffer; null before ServerInit.</summary>
    public TraceFramebuffer? Framebuffer { get; private set; }

    public string DesktopName { get; private set; } = "";

    /// <summary>The version the server answered ("RFB 003.008\n" and so on).</summary>
    public string ServerVersion { get; private set; } = "";

    /// <summary>Rectangles whose payload was skipped rather than decoded (their pixels are not in <see cref="Framebuffer"/>).</summary>
    public long SkippedRectangles { get; private set; }

    /// <summary>The first rectangle that was skipped, for messages.</summary>
    public int? FirstSkippedEncoding { get; private set; }

    public static IRectangleDecoder[] DefaultDecoders() =>
    [
        new RawDecoder(),
        new CopyRectDecoder(),
        new HextileDecoder(),
        new ZlibDecoder(),
        new ZrleDecoder(),
        new TightDecoder(EncodingType.Tight),
        new TightDecoder(EncodingType.TightPng),
    ];

    /// <summary>Rectangles decoded from JPEG (Tight), whose pixels are approximate.</summary>
    public long JpegRectangles
    {
        get
        {
            long n = 0;
            foreach (IRectangleDecoder d in _decoders.Values)
            {
                if (d is TightDecoder t)
                {
                    n += t.JpegRectangles;
                }
            }

            return n;
        }
    }

    /// <summary>The encodings announced: the chosen one, CopyRect, LastRect, DesktopSize, then quality and compress levels when given.</summary>
    public static int[] Announced(int encoding, int quality, int compress)
    {
        var list = new List<int> { encoding };
        foreach (int e in new[] { EncodingType.CopyRect, EncodingType.LastRect, EncodingType.DesktopSize })
        {
            if (!list.Contains(e))
            {
                list.Add(e);
            }
        }

        if (quality >= 0)
        {
            list.Add(EncodingType.JpegQualityLevel0 + quality);
        }

        if (compress >= 0)
        {
            list.Add(EncodingType.CompressLevel0 + compress);
        }

        return list.ToArray();
    }

    /// <summary>Connects, runs the handshake to ServerInit and sends SetPixelFormat and SetEncodings.</summary>
    public static MeasuringClient Connect(string host, int port, int[] encodings, TimeSpan timeout)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            socket.ConnectAsync(host, port, cts.Token).AsTask().GetAwaiter().GetResult();
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new MeasuringClient(socket);
        try
        {
            socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
            client.Handshake();
            socket.ReceiveTimeout = 0;
            client.SendSetPixelFormat();
            client.SendSetEncodings(encodings);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public void RequestUpdate(bool incremental)
    {
        Span<byte> m = stackalloc byte[10];
        m[0] = 3;
        m[1] = incremental ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(m[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(m[4..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(m[6..], (ushort)_width);
        BinaryPrimitives.WriteUInt16BigEndian(m[8..], (ushort)_height);
        _stream.Write(m);
    }

    /// <summary>
    /// Reads server messages until a FramebufferUpdate has been read completely (Bell, cut text and
    /// colour map entries are skipped on the way), decoding it into <see cref="Framebuffer"/>, and
    /// returns what it held.
    /// </summary>
    public UpdateRecord ReadUpdate() => ReadUpdate(Input, decode: true);

    /// <summary>
    /// Like <see cref="ReadUpdate()"/> but without decoding: every byte of the update is read
    /// (through <see cref="RfbInput.Tap"/> when a copy is wanted) and its last byte timed, while
    /// <see cref="Framebuffer"/> is left as it is for <see cref="DecodeUpdate"/>.
    /// </summary>
    public UpdateRecord FrameUpdate() => ReadUpdate(Input, decode: false);

    /// <summary>
    /// Decodes the next FramebufferUpdate of <paramref name="source"/>, a copy of bytes that
    /// <see cref="FrameUpdate"/> read, into <see cref="Framebuffer"/>. Updates must be decoded in
    /// the order they were framed (the zlib streams run on from one to the next).
    /// </summary>
    public void DecodeUpdate(RfbInput source) => ReadUpdate(source, decode: true);

    private UpdateRecord ReadUpdate(RfbInput input, bool decode)
    {
        while (true)
        {
            long offset = input.Position;
            byte type = input.ReadU8();
            long first = Stopwatch.GetTimestamp();
            switch (type)
            {
                case 0:
                    return ReadUpdateBody(input, decode, offset, first);
                case 1:
                    input.Skip(1);
                    input.ReadU16();
                    input.Skip(input.ReadU16() * 6L);
                    break;
                case 2:
                    break;
                case 3:
                    input.Skip(3);
                    input.Skip(input.ReadU32());
                    break;
                default:
                    throw new InvalidDataException($"The server sent message type {type}, which this client did not ask for.");
            }
        }
    }

    public void Shutdown()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        foreach (IRectangleDecoder d in _decoders.Values)
        {
            (d as IDisposable)?.Dispose();
        }
    }

    private UpdateRecord ReadUpdateBody(RfbInput input, bool decode, long offset, long firstTicks)
    {
        input.Skip(1);
        int count = input.ReadU16();
        int rects = 0;
        long pixels = 0;
        long rawBytes = 4;
        for (int i = 0; count == 0xFFFF || i < count; i++)
        {
            int x = input.ReadU16(), y = input.ReadU16(), w = input.ReadU16(), h = input.ReadU16();
            int encoding = input.ReadS32();
            if (encoding == EncodingType.LastRect)
            {
                rawBytes += 12;
                break;
            }

            if (encoding == EncodingType.DesktopSize)
            {
                if (decode)
                {
                    Framebuffer!.Resize(w, h);
                }

                if (ReferenceEquals(input, Input))
                {
                    // The reading thread's own size (framing, or reading and decoding at once),
                    // not the decoding thread's, which follows later.
                    (_width, _height) = (w, h);
                }

                rawBytes += 12;
                continue;
            }

            if (!_decoders.TryGetValue(encoding, out IRectangleDecoder? decoder))
            {
                throw new InvalidDataException($"The server sent a rectangle in encoding {encoding}, which this client cannot read.");
            }

            (int fbWidth, int fbHeight) = decode ? (Framebuffer!.Width, Framebuffer.Height) : (_width, _height);
            if (x + w > fbWidth || y + h > fbHeight)
            {
                throw new InvalidDataException($"The rectangle {w}x{h}+{x}+{y} leaves the {fbWidth}x{fbHeight} framebuffer.");
            }

            if (decode)
            {
                decoder.Decode(input, x, y, w, h, Framebuffer!);
            }
            else
            {
                PayloadFraming.Skip(input, encoding, w, h);
            }

            rects++;
            if (encoding == EncodingType.CopyRect)
            {
                rawBytes += 12 + 4;
            }
            else
            {
                pixels += (long)w * h;
                rawBytes += 12 + (long)w * h * 4;
            }

            if (decode && !decoder.DecodesPixels)
            {
                SkippedRectangles++;
                FirstSkippedEncoding ??= encoding;
            }

        }

        return new UpdateRecord(offset, firstTicks, Stopwatch.GetTimestamp(), input.Position - offset, rects, pixels, rawBytes);
    }

    private void Handshake()
    {
        Span<byte> version = stackalloc byte[12];
        Input.ReadExactly(version);
        ServerVersion = Encoding.ASCII.GetString(version);
        if (!ServerVersion.StartsWith("RFB 003.", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Not an RFB server: it said \"{ServerVersion.TrimEnd()}\".");
        }

        int minor = int.Parse(ServerVersion.AsSpan(8, 3), System.Globalization.CultureInfo.InvariantCulture);
        minor = minor >= 8 ? 8 : minor >= 7 ? 7 : 3;
        _stream.Write(Encoding.ASCII.GetBytes($"RFB 003.00{minor}\n"));
        if (minor == 3)
        {
            uint type = Input.ReadU32();
            if (type == 0)
            {
                throw new InvalidDataException($"The server refused the connection: {ReadReason()}");
            }

            if (type != 1)
            {
                throw new InvalidDataException($"The server asks for security type {type}; the bench needs None (1).");
            }
        }
        else
        {
            int n = Input.ReadU8();
            if (n == 0)
            {
                throw new InvalidDataException($"The server refused the connection: {ReadReason()}");
            }

            Span<byte> types = stackalloc byte[n];
            Input.ReadExactly(types);
            if (types.IndexOf((byte)1) < 0)
            {
                throw new InvalidDataException($"The server offers security types {string.Join(",", types.ToArray())}; the bench needs None (1).");
            }

            _stream.WriteByte(1);
            if (minor == 8 && Input.ReadU32() != 0)
            {
                throw new InvalidDataException($"Security None failed: {ReadReason()}");
            }
        }

        _stream.WriteByte(1); // ClientInit: shared
        int width = Input.ReadU16();
        int height = Input.ReadU16();
        Input.Skip(PixelFormat.WireSize);
        uint nameLength = Input.ReadU32();
        if (nameLength > 1 << 20)
        {
            throw new InvalidDataException($"The desktop name is {nameLength} bytes long.");
        }

        var name = new byte[nameLength];
        Input.ReadExactly(name);
        DesktopName = Encoding.UTF8.GetString(name);
        Framebuffer = new TraceFramebuffer(width, height);
        (_width, _height) = (width, height);
    }

    private string ReadReason()
    {
        uint length = Input.ReadU32();
        var reason = new byte[Math.Min(length, 4096u)];
        Input.ReadExactly(reason);
        return Encoding.UTF8.GetString(reason);
    }

    private void SendSetPixelFormat()
    {
        Span<byte> m = stackalloc byte[4 + PixelFormat.WireSize];
        m.Clear();
        PixelFormat.Canonical.Write(m[4..]);
        _stream.Write(m);
    }

    private void SendSetEncodings(int[] encodings)
    {
        var m = new byte[4 + (encodings.Length * 4)];
        m[0] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), (ushort)encodings.Length);
        for (int i = 0; i < encodings.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(m.AsSpan(4 + (i * 4)), encodings[i]);
        }

        _stream.Write(m);
    }
}
