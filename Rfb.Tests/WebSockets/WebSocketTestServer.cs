using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using ConsoleBridge;
using Rfb.Tests.Protocol;

namespace Rfb.Tests.WebSockets;

/// <summary>A real server with a WebSocket endpoint on a free loopback port, showing one head the test controls.</summary>
internal sealed class WebSocketTestServer : IAsyncDisposable
{
    private WebSocketTestServer(int width, int height, Action<RfbServerOptions>? configure)
    {
        Width = width;
        Height = height;
        Memory = new byte[width * height * 4];
        Host = new RecordingHost();
        Console = new DisplayConsole(Host, new DisplayConsoleOptions { AutoRefresh = false });
        Console.SwitchSurface(GuestSurface.FromMemory(Memory, width, height, width * 4, DrmFourcc.Xrgb8888));
        var options = new RfbServerOptions { DesktopName = "ws" };
        options.Endpoints.Clear();
        options.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
        options.WebSocket.Endpoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
        configure?.Invoke(options);
        Options = options;
        Server = new RfbServer(Console, options);
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Memory { get; }

    public RecordingHost Host { get; }

    public DisplayConsole Console { get; }

    public RfbServerOptions Options { get; }

    public RfbServer Server { get; }

    public IPEndPoint WebSocketEndpoint => Server.WebSocketEndpoints[0];

    public Uri Uri(string scheme = "ws", string path = "/websockify") => new($"{scheme}://127.0.0.1:{WebSocketEndpoint.Port}{path}");

    public static async Task<WebSocketTestServer> StartAsync(int width = 8, int height = 4, Action<RfbServerOptions>? configure = null)
    {
        var served = new WebSocketTestServer(width, height, configure);
        await served.Server.StartAsync();
        return served;
    }

    /// <summary>Connects the BCL's client WebSocket and wraps it, through the BCL's WebSocketStream, in a <see cref="TestClient"/>.</summary>
    public async Task<(ClientWebSocket Socket, TestClient Client)> ConnectAsync(Action<ClientWebSocketOptions>? configure = null, string scheme = "ws")
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(TestClient.Timeout);
        await socket.ConnectAsync(Uri(scheme), timeout.Token);
        Stream stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
        return (socket, new TestClient(PipeReader.Create(stream), PipeWriter.Create(stream)));
    }

    /// <summary>Asks for the whole 8x4 framebuffer and checks the update's header and Raw pixels.</summary>
    public async Task AssertFullUpdateAsync(TestClient client, uint pixel)
    {
        Fill(pixel);
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, Width, Height));
        byte[] head = await client.ReadExactAsync(16);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 0, 0, (byte)Width, 0, (byte)Height, 0, 0, 0, 0 }, head);
        byte[] pixels = await client.ReadExactAsync(Width * Height * 4);
        for (int i = 0; i < Width * Height; i++)
        {
            Assert.Equal(pixel, BinaryPrimitives.ReadUInt32LittleEndian(pixels.AsSpan(i * 4)));
        }
    }

    public void Fill(uint pixel)
    {
        for (int i = 0; i < Width * Height; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(Memory.AsSpan(i * 4), pixel);
        }

        Console.Invalidate(0, 0, Width, Height);
        Console.Refresh();
    }

    public async Task WaitForSessionCountAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TestClient.Timeout);
        while (Server.SessionCount != count)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync().WaitAsync(TestClient.Timeout);
        Console.Dispose();
    }
}

/// <summary>
/// A hand-driven WebSocket client over a plain socket, for what a well-behaved client never sends:
/// unmasked frames, reserved opcodes, oversized and truncated messages, slow or malformed upgrades.
/// </summary>
internal sealed class RawWebSocketClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;

    private RawWebSocketClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = PipeReader.Create(_stream);
    }

    public static async Task<RawWebSocketClient> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint).WaitAsync(TestClient.Timeout);
        return new RawWebSocketClient(socket);
    }

    /// <summary>A browser-like upgrade request for <paramref name="path"/> with the RFC 6455 §1.2 key.</summary>
    public static string UpgradeRequest(int port, string path = "/websockify", string extra = "") =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n";

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes).AsTask().WaitAsync(TestClient.Timeout);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Upgrades and returns the response head; asserts it is 101 with the RFC's accept value.</summary>
    public async Task UpgradeAsync(int port, string extra = "")
    {
        await SendAsync(UpgradeRequest(port, extra: extra));
        string head = await ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", head, StringComparison.Ordinal);
        Assert.Contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", head, StringComparison.Ordinal);
    }

    /// <summary>Reads an HTTP response head (through the empty line).</summary>
    public async Task<string> ReadHeadAsync()
    {
        using var timeout = new CancellationTokenSource(TestClient.Timeout);
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(timeout.Token);
            string text = Encoding.Latin1.GetString(result.Buffer.ToArray());
            int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _reader.AdvanceTo(result.Buffer.GetPosition(end + 4));
                return text[..(end + 4)];
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException("The server closed before a response head: " + text);
            }

            _reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>Reads everything until the server closes the connection.</summary>
    public async Task<string> ReadToEndAsync()
    {
        using var timeout = new CancellationTokenSource(TestClient.Timeout);
        var all = new List<byte>();
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(timeout.Token);
            }
            catch (IOException)
            {
                return Encoding.Latin1.GetString(all.ToArray());
            }

            all.AddRange(result.Buffer.ToArray());
            _reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return Encoding.Latin1.GetString(all.ToArray());
            }
        }
    }

    private async Task<byte[]> ReadExactAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TestClient.Timeout);
        while (true)
        {
            ReadResult result = await _reader.ReadAsync(timeout.Token);
            if (result.Buffer.Length >= count)
            {
                byte[] bytes = result.Buffer.Slice(0, count).ToArray();
                _reader.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }

            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"The server closed after {result.Buffer.Length} of {count} bytes.");
            }

            _reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>
    /// Reads one server frame (RFC 6455 §5.2; a server never masks): FIN, opcode and payload.
    /// </summary>
    public async Task<(bool Fin, int Opcode, byte[] Payload)> ReadFrameAsync()
    {
        byte[] head = await ReadExactAsync(2);
        Assert.Equal(0, head[1] & 0x80);
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactAsync(2));
        }
        else if (length == 127)
        {
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactAsync(8));
        }

        return ((head[0] & 0x80) != 0, head[0] & 0x0F, await ReadExactAsync((int)length));
    }

    /// <summary>Skips data frames up to the server's close frame; returns its status code and reason.</summary>
    public async Task<(int Status, string Reason)> ReadCloseAsync()
    {
        while (true)
        {
            (_, int opcode, byte[] payload) = await ReadFrameAsync();
            if (opcode == 8)
            {
                return payload.Length < 2 ? (1005, string.Empty) : (BinaryPrimitives.ReadUInt16BigEndian(payload), Encoding.UTF8.GetString(payload, 2, payload.Length - 2));
            }
        }
    }

    /// <summary>
    /// One client frame (RFC 6455 §5.2): first byte (FIN, RSV, opcode), then the MASK bit and the
    /// 7-, 16- or 64-bit length, the masking key and the payload XORed with it (§5.3).
    /// </summary>
    public static byte[] Frame(int firstByte, ReadOnlySpan<byte> payload, bool masked = true)
    {
        var frame = new List<byte> { (byte)firstByte };
        byte maskBit = masked ? (byte)0x80 : (byte)0;
        if (payload.Length < 126)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length < 65536)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            for (int shift = 56; shift >= 0; shift -= 8)
            {
                frame.Add((byte)((long)payload.Length >> shift));
            }
        }

        byte[] key = { 0x37, 0xFA, 0x21, 0x3D };
        if (masked)
        {
            frame.AddRange(key);
        }

        for (int i = 0; i < payload.Length; i++)
        {
            frame.Add(masked ? (byte)(payload[i] ^ key[i % 4]) : payload[i]);
        }

        return frame.ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
    }
}
