using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Rfb.Encodings;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Zrle;

/// <summary>
/// A minimal RFB 3.8 server (security None) that answers every FramebufferUpdateRequest with one
/// encoder's rectangles over a real loopback socket, so that real clients check the encoders before
/// sessions use them. A non-incremental request gets <c>layout</c>'s rectangles; an incremental one
/// waits for <see cref="Update"/>. It serves one client at a time and records what went wrong.
/// </summary>
internal sealed class EncoderTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IReadOnlyList<(int X, int Y, int Width, int Height)> _layout;
    private readonly Func<IRectangleEncoder> _createEncoder;
    private readonly Lock _lock = new();
    private readonly Task _acceptLoop;
    private readonly CancellationTokenSource _stop = new();
    private ImageRgb _frame;
    private IReadOnlyList<(int X, int Y, int Width, int Height)>? _pendingChanges;

    // Guarded by _lock: the connected client and whether it waits for an incremental update.
    private Stream? _client;
    private PixelTranslator _translator = new(PixelFormat.Canonical);
    private IRectangleEncoder? _encoder;
    private EncodeSettings _settings;
    private bool _incrementalWaiting;

    private EncoderTestServer(ImageRgb frame, IReadOnlyList<(int X, int Y, int Width, int Height)> layout, Func<IRectangleEncoder> createEncoder)
    {
        _frame = frame;
        _layout = layout;
        _createEncoder = createEncoder;
        Port = VncPorts.FindFreePort();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Everything that went wrong in sessions (protocol errors, an encoding the client did not announce).</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Rectangles sent per encoding number.</summary>
    public Dictionary<int, int> RectanglesSent { get; } = [];

    /// <summary>The encodings the last client announced, in its order.</summary>
    public int[] ClientEncodings { get; private set; } = [];

    /// <summary>The compress levels the clients announced (pseudo-encodings -256..-247).</summary>
    public List<int> CompressLevels { get; } = [];

    /// <summary>The pixel format the last client asked for (canonical if it asked for none).</summary>
    public PixelFormat ClientFormat => _translator.Format;

    public static EncoderTestServer Start(ImageRgb frame, IReadOnlyList<(int X, int Y, int Width, int Height)> layout, Func<IRectangleEncoder> createEncoder)
        => new(frame, layout, createEncoder);

    /// <summary>Shows <paramref name="frame"/>, sending <paramref name="changes"/> to the client as its next incremental update.</summary>
    public void Update(ImageRgb frame, IReadOnlyList<(int X, int Y, int Width, int Height)> changes)
    {
        lock (_lock)
        {
            _frame = frame;
            _pendingChanges = changes;
            if (_incrementalWaiting)
            {
                SendPendingUnsynchronized();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_lock)
        {
            _client?.Dispose();
        }

        await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (tcp)
            {
                tcp.NoDelay = true;
                try
                {
                    await ServeAsync(tcp.GetStream());
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    // The client went away.
                }
                catch (Exception e)
                {
                    lock (_lock)
                    {
                        Errors.Add(e.ToString());
                    }
                }
                finally
                {
                    lock (_lock)
                    {
                        _client = null;
                        _encoder?.Dispose();
                        _encoder = null;
                    }
                }
            }
        }
    }

    private async Task ServeAsync(NetworkStream stream)
    {
        CancellationToken ct = _stop.Token;
        var buffer = new byte[64];

        // ProtocolVersion 3.8, security type None (1), SecurityResult OK, ClientInit.
        await stream.WriteAsync("RFB 003.008\n"u8.ToArray(), ct);
        await stream.ReadExactlyAsync(buffer.AsMemory(0, 12), ct);
        await stream.WriteAsync(new byte[] { 1, 1 }, ct);
        await stream.ReadExactlyAsync(buffer.AsMemory(0, 1), ct);
        await stream.WriteAsync(new byte[] { 0, 0, 0, 0 }, ct);
        await stream.ReadExactlyAsync(buffer.AsMemory(0, 1), ct);

        // ServerInit: width, height, the canonical pixel format, the name.
        byte[] name = Encoding.ASCII.GetBytes("encoder test");
        var init = new byte[24 + name.Length];
        BinaryPrimitives.WriteUInt16BigEndian(init, (ushort)_frame.Width);
        BinaryPrimitives.WriteUInt16BigEndian(init.AsSpan(2), (ushort)_frame.Height);
        PixelFormat.Canonical.Write(init.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(init.AsSpan(20), (uint)name.Length);
        name.CopyTo(init, 24);
        await stream.WriteAsync(init, ct);

        lock (_lock)
        {
            _client = stream;
            _translator = new PixelTranslator(PixelFormat.Canonical);
            _encoder = _createEncoder();
            _settings = new EncodeSettings();
            _incrementalWaiting = false;
        }

        while (true)
        {
            await stream.ReadExactlyAsync(buffer.AsMemory(0, 1), ct);
            switch (buffer[0])
            {
                case 0: // SetPixelFormat: 3 padding bytes, PIXEL_FORMAT
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, 19), ct);
                    lock (_lock)
                    {
                        _translator = new PixelTranslator(PixelFormat.Read(buffer.AsSpan(3, 16)));
                    }

                    break;
                case 2: // SetEncodings: padding, u16 count, s32 each
                {
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, 3), ct);
                    var encodings = new byte[BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(1)) * 4];
                    await stream.ReadExactlyAsync(encodings, ct);
                    SetEncodings(encodings);
                    break;
                }

                case 3: // FramebufferUpdateRequest: incremental, x, y, w, h
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, 9), ct);
                    OnRequest(incremental: buffer[0] != 0);
                    break;
                case 4: // KeyEvent
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, 7), ct);
                    break;
                case 5: // PointerEvent
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, 5), ct);
                    break;
                case 6: // ClientCutText
                    await stream.ReadExactlyAsync(buffer.AsMemory(0, 7), ct);
                    await stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(3))], ct);
                    break;
                default:
                    throw new InvalidDataException($"Unexpected client message type {buffer[0]}.");
            }
        }
    }

    private void SetEncodings(byte[] encodings)
    {
        var list = new int[encodings.Length / 4];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = BinaryPrimitives.ReadInt32BigEndian(encodings.AsSpan(i * 4));
        }

        lock (_lock)
        {
            ClientEncodings = list;
            foreach (int encoding in list)
            {
                if (encoding is >= EncodingType.CompressLevel0 and <= EncodingType.CompressLevel9)
                {
                    _settings = _settings with { CompressLevel = encoding - EncodingType.CompressLevel0 };
                    CompressLevels.Add(_settings.CompressLevel);
                }
            }

            if (Array.IndexOf(list, _encoder!.Encoding) < 0)
            {
                Errors.Add($"The client did not announce encoding {_encoder.Encoding}: {string.Join(", ", list)}.");
            }
        }
    }

    private void OnRequest(bool incremental)
    {
        lock (_lock)
        {
            if (!incremental)
            {
                SendUnsynchronized(_layout);
            }
            else if (_pendingChanges is not null)
            {
                SendPendingUnsynchronized();
            }
            else
            {
                _incrementalWaiting = true;
            }
        }
    }

    private void SendPendingUnsynchronized()
    {
        SendUnsynchronized(_pendingChanges!);
        _pendingChanges = null;
        _incrementalWaiting = false;
    }

    // FramebufferUpdate: type 0, padding, u16 rectangle count, rectangles.
    private void SendUnsynchronized(IReadOnlyList<(int X, int Y, int Width, int Height)> rectangles)
    {
        var body = new ArrayBufferWriter<byte>();
        var view = new PixelView(_frame.Pixels, _frame.Width, _frame.Width, _frame.Height);
        int count = 0;
        foreach ((int x, int y, int w, int h) in rectangles)
        {
            count += _encoder!.Encode(view.Slice(x, y, w, h), x, y, _translator, _settings, body);
        }

        RectanglesSent[_encoder!.Encoding] = RectanglesSent.GetValueOrDefault(_encoder.Encoding) + count;
        var message = new byte[4 + body.WrittenCount];
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)count);
        body.WrittenSpan.CopyTo(message.AsSpan(4));
        _client!.Write(message);
    }
}
