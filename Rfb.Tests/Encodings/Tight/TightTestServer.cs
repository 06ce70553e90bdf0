using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rfb.Encodings;
using Rfb.Encodings.Tight;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>
/// A tiny RFB server for the Tight encoders' end-to-end tests, independent of the library's
/// sessions: RFB 3.3 or 3.8 with security None, ServerInit in the canonical format, and every
/// non-incremental FramebufferUpdateRequest (and the first incremental one) answered with the
/// whole frame cut into 64×64 tiles, each encoded by a <see cref="TightEncoder"/> (or a
/// <see cref="TightPngEncoder"/> when the client prefers -260) over a real loopback socket.
/// Incremental requests after that are left waiting: the frame does not change.
/// </summary>
internal sealed class TightTestServer : IAsyncDisposable
{
    private const int Tile = 64;

    private readonly TcpListener _listener;
    private readonly uint[] _frame;
    private readonly int _width;
    private readonly int _height;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Socket> _clients = [];

    private TightTestServer(int port, uint[] frame, int width, int height)
    {
        _frame = frame;
        _width = width;
        _height = height;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    /// <summary>The settings of the last client's last SetEncodings, and the encoding it was served with.</summary>
    public EncodeSettings LastSettings { get; private set; }

    public int LastEncoding { get; private set; }

    /// <summary>Rectangles sent in total, and how many of them were JPEG.</summary>
    public int RectanglesSent { get; private set; }

    public int JpegRectanglesSent { get; private set; }

    /// <summary>The first failure of a connection, for test messages.</summary>
    public Exception? Failure { get; private set; }

    public static TightTestServer Start(int port, uint[] frame, int width, int height) => new(port, frame, width, height);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (Socket client in _clients)
            {
                client.Dispose();
            }
        }

        await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_clients)
                {
                    _clients.Add(socket);
                }

                connections.Add(Task.Run(() => Serve(socket)));
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }

        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Serve(Socket socket)
    {
        socket.NoDelay = true;
        socket.ReceiveTimeout = 30_000;
        socket.SendTimeout = 30_000;
        using var stream = new NetworkStream(socket, ownsSocket: true);
        IRectangleEncoder? encoder = null;
        try
        {
            Handshake(stream);
            var translator = new PixelTranslator(PixelFormat.Canonical);
            var settings = new EncodeSettings();
            bool sent = false;
            Span<byte> buffer = stackalloc byte[20];
            while (!_stop.IsCancellationRequested)
            {
                int type = stream.ReadByte();
                if (type < 0)
                {
                    return;
                }

                switch (type)
                {
                    case 0: // SetPixelFormat: 3 padding, PIXEL_FORMAT
                        stream.ReadExactly(buffer[..19]);
                        translator = new PixelTranslator(PixelFormat.Read(buffer[3..19]));
                        break;

                    case 2: // SetEncodings: 1 padding, u16 count, s32 encodings
                    {
                        stream.ReadExactly(buffer[..3]);
                        int count = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..]);
                        settings = ReadEncodings(stream, count, out int encoding);
                        encoder?.Dispose();
                        encoder = encoding == EncodingType.TightPng ? new TightPngEncoder() : new TightEncoder();
                        LastSettings = settings;
                        LastEncoding = encoding;
                        break;
                    }

                    case 3: // FramebufferUpdateRequest: incremental, x, y, w, h
                        stream.ReadExactly(buffer[..9]);
                        if (buffer[0] == 0 || !sent)
                        {
                            SendFrame(stream, encoder ??= new TightEncoder(), translator, settings);
                            sent = true;
                        }

                        break;

                    case 4: // KeyEvent
                        stream.ReadExactly(buffer[..7]);
                        break;

                    case 5: // PointerEvent
                        stream.ReadExactly(buffer[..5]);
                        break;

                    case 6: // ClientCutText: 3 padding, u32 length, text
                        stream.ReadExactly(buffer[..7]);
                        stream.ReadExactly(new byte[BinaryPrimitives.ReadUInt32BigEndian(buffer[3..])]);
                        break;

                    default:
                        throw new InvalidDataException($"Client message type {type} is not handled by the test server.");
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or EndOfStreamException)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            Failure ??= e;
        }
        finally
        {
            encoder?.Dispose();
        }
    }

    private void Handshake(NetworkStream stream)
    {
        stream.Write("RFB 003.008\n"u8);
        Span<byte> version = stackalloc byte[12];
        stream.ReadExactly(version);
        bool rfb33 = version[10] == (byte)'3' && version[9] == (byte)'0' && version[6] == (byte)'3';
        if (rfb33)
        {
            stream.Write([0, 0, 0, 1]); // RFB 3.3: the server picks None
        }
        else
        {
            stream.Write([1, 1]); // one security type: None
            int chosen = stream.ReadByte();
            if (chosen != 1)
            {
                throw new InvalidDataException($"The client chose security type {chosen}.");
            }

            stream.Write([0, 0, 0, 0]); // SecurityResult OK
        }

        stream.ReadByte(); // ClientInit (shared flag)
        byte[] name = "tight-test"u8.ToArray();
        var init = new byte[24 + name.Length];
        BinaryPrimitives.WriteUInt16BigEndian(init, (ushort)_width);
        BinaryPrimitives.WriteUInt16BigEndian(init.AsSpan(2), (ushort)_height);
        PixelFormat.Canonical.Write(init.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(init.AsSpan(20), (uint)name.Length);
        name.CopyTo(init, 24);
        stream.Write(init);
    }

    private static EncodeSettings ReadEncodings(NetworkStream stream, int count, out int encoding)
    {
        var bytes = new byte[count * 4];
        stream.ReadExactly(bytes);
        int compress = 2;
        int quality = -1;
        int fine = -1;
        int subsampling = -1;
        encoding = 0;
        for (int i = 0; i < count; i++)
        {
            int e = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * 4));
            if (encoding == 0 && e is EncodingType.Tight or EncodingType.TightPng)
            {
                encoding = e;
            }
            else if (e is >= EncodingType.JpegQualityLevel0 and <= EncodingType.JpegQualityLevel9)
            {
                quality = e - EncodingType.JpegQualityLevel0;
            }
            else if (e is >= EncodingType.CompressLevel0 and <= EncodingType.CompressLevel9)
            {
                compress = e - EncodingType.CompressLevel0;
            }
            else if (e is >= EncodingType.FineQualityLevel0 and <= EncodingType.FineQualityLevel100)
            {
                fine = e - EncodingType.FineQualityLevel0;
            }
            else if (e is >= EncodingType.SubsampLevel1X and <= EncodingType.SubsampLevel16X)
            {
                subsampling = e - EncodingType.SubsampLevel1X;
            }
        }

        return new EncodeSettings { CompressLevel = compress, QualityLevel = quality, FineQuality = fine, Subsampling = subsampling };
    }

    private void SendFrame(NetworkStream stream, IRectangleEncoder encoder, PixelTranslator translator, EncodeSettings settings)
    {
        var output = new ArrayBufferWriter<byte>();
        var frame = new PixelView(_frame, _width, _width, _height);
        int count = 0;
        for (int y = 0; y < _height; y += Tile)
        {
            for (int x = 0; x < _width; x += Tile)
            {
                count += encoder.Encode(frame.Slice(x, y, Math.Min(Tile, _width - x), Math.Min(Tile, _height - y)), x, y, translator, settings, output);
            }
        }

        CountJpeg(output.WrittenSpan, count, translator.TightPixelBytes);
        byte[] header = [0, 0, (byte)(count >> 8), (byte)count];
        stream.Write(header);
        stream.Write(output.WrittenSpan);
        stream.Flush();
    }

    /// <summary>Walks the rectangles just written, as the spec lays them out, to count the JPEG ones.</summary>
    private void CountJpeg(ReadOnlySpan<byte> bytes, int count, int tpb)
    {
        var wire = new TightWire(bytes);
        for (int i = 0; i < count; i++)
        {
            (_, _, int w, int h, _) = wire.ReadHeader();
            int control = wire.ReadByte();
            RectanglesSent++;
            int kind = control >> 4;
            if (kind == 8)
            {
                wire.Take(tpb);
                continue;
            }

            if (kind is 9 or 10)
            {
                JpegRectanglesSent += kind == 9 ? 1 : 0;
                wire.Take(wire.ReadCompactLength());
                continue;
            }

            int length = w * h * tpb;
            if ((control & 0x40) != 0 && wire.ReadByte() == 1)
            {
                int colours = wire.ReadByte() + 1;
                wire.Take(colours * tpb);
                length = colours == 2 ? ((w + 7) / 8) * h : w * h;
            }

            wire.Take(length < 12 ? length : wire.ReadCompactLength());
        }

        if (!wire.AtEnd)
        {
            throw new InvalidDataException("The encoder wrote more than its rectangles.");
        }
    }
}
