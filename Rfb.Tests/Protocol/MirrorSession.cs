using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using ConsoleBridge;
using Rfb.Encodings;
using Rfb.Recording;
using Rfb.Transports;

namespace Rfb.Tests.Protocol;

/// <summary>
/// A square guest whose every row differs (so a scroll by any amount changes every pixel it
/// moves), a console over it, one in-memory session, and a client that speaks CopyRect, Raw and
/// LastRect and decodes what it gets into a mirror of its framebuffer.
/// </summary>
internal sealed class MirrorSession : IAsyncDisposable
{
    private RfbServer? _server;
    private TestClient? _client;

    public MirrorSession(int size)
    {
        Size = size;
        Guest = new TraceFramebuffer(size, size);
        var rows = new byte[size * size * 4];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(rows.AsSpan((y * size + x) * 4), (uint)((y * 0x010305) ^ (x * 0x000101)) & 0xFFFFFF);
            }
        }

        Guest.WriteRaw(0, 0, size, size, rows);
        Console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        Console.SwitchSurface(Guest.CreateSurface());
        Mirror = new byte[size * size * 4];
    }

    public int Size { get; }

    public TraceFramebuffer Guest { get; }

    public DisplayConsole Console { get; }

    public byte[] Mirror { get; }

    /// <summary>Starts the session with <paramref name="options"/> and reads the first, full, update into the mirror.</summary>
    public async Task StartAsync(RfbServerOptions options)
    {
        options.Endpoints.Clear();
        _server = new RfbServer(Console, options);
        var toServer = new Pipe();
        var toClient = new Pipe();
        _ = _server.RunSessionAsync(new DuplexPipe(toServer.Reader, toClient.Writer), "mirror", IPAddress.Loopback);
        _client = new TestClient(toClient.Reader, toServer.Writer);
        await _client.HandshakeAsync();
        await _client.SendAsync(ClientMessages.SetEncodings(EncodingType.CopyRect, EncodingType.Raw, EncodingType.LastRect));
        await _client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, Size, Size));
        await CopyRectChainTests.ReadUpdateAsync(_client, Mirror, Size);
    }

    /// <summary>Asks for an incremental update of the whole screen and applies it to the mirror.</summary>
    public async Task<(int CopyRects, int RawPixels)> UpdateAsync()
    {
        await _client!.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, Size, Size));
        return await CopyRectChainTests.ReadUpdateAsync(_client, Mirror, Size);
    }

    /// <summary>Scrolls the guest's rows from <paramref name="sourceY"/> to <paramref name="destinationY"/> and reports the blit.</summary>
    public void Scroll(int sourceY, int destinationY, int height)
    {
        Guest.Copy(0, sourceY, 0, destinationY, Size, height);
        Console.CopyRect(0, sourceY, 0, destinationY, Size, height);
    }

    public void AssertMirrorIsGuest(string when)
    {
        for (int i = 0; i < Size * Size; i++)
        {
            uint expected = BinaryPrimitives.ReadUInt32LittleEndian(Guest.Pixels.AsSpan(i * 4)) & 0xFFFFFF;
            uint actual = BinaryPrimitives.ReadUInt32LittleEndian(Mirror.AsSpan(i * 4)) & 0xFFFFFF;
            Assert.True(expected == actual, $"{when}: pixel ({i % Size}, {i / Size}) is {actual:X6}, the guest shows {expected:X6}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.StopAsync().WaitAsync(TestClient.Timeout);
        }

        Console.Dispose();
    }
}
