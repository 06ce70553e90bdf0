using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using ConsoleBridge;
using Rfb.Encodings;
using Rfb.Recording;

namespace Rfb.Tests.Protocol;

/// <summary>
/// Several refreshes and blits reach one update (a client a frame behind): the pixels a refresh
/// drew and a blit then moved must be sent where they ended up, and nothing more.
/// </summary>
public sealed class CoalescedBlitTests
{
    private const int Size = 256;

    [Fact]
    public async Task Update_DotDrawnThenScrolledTwice_SendsTheDotAndCopyRectsOnly()
    {
        var guest = new TraceFramebuffer(Size, Size);
        var rows = new byte[Size * Size * 4];
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(rows.AsSpan((y * Size + x) * 4), (uint)((y * 0x010305) ^ (x * 0x000101)) & 0xFFFFFF);
            }
        }

        guest.WriteRaw(0, 0, Size, Size, rows);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.SwitchSurface(guest.CreateSurface());
        var options = new RfbServerOptions();
        options.Endpoints.Clear();
        var server = new RfbServer(console, options);
        var toServer = new Pipe();
        var toClient = new Pipe();
        _ = server.RunSessionAsync(new CopyRectChainTests.DuplexPipe(toServer.Reader, toClient.Writer), "coalesced", IPAddress.Loopback);
        var client = new TestClient(toClient.Reader, toServer.Writer);
        try
        {
            await client.HandshakeAsync();
            await client.SendAsync(ClientMessages.SetEncodings(EncodingType.CopyRect, EncodingType.Raw, EncodingType.LastRect));
            var mirror = new byte[Size * Size * 4];
            await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, Size, Size));
            await CopyRectChainTests.ReadUpdateAsync(client, mirror, Size);

            // A dot in the second band of tiles, refreshed on its own; then that band scrolls up
            // into the first, and the third band into the second (so every tile of the first
            // blit's source is changed again, by the second blit, before the client asks).
            guest.WriteRaw(10, 70, 1, 1, [0x11, 0x22, 0x33, 0x00]);
            console.Invalidate(10, 70, 1, 1);
            console.Refresh();
            guest.Copy(0, 64, 0, 0, Size, 64);
            console.CopyRect(0, 64, 0, 0, Size, 64);
            guest.Copy(0, 128, 0, 64, Size, 64);
            console.CopyRect(0, 128, 0, 64, Size, 64);

            await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, Size, Size));
            (int copies, int pixels) = await CopyRectChainTests.ReadUpdateAsync(client, mirror, Size);
            for (int i = 0; i < Size * Size; i++)
            {
                uint expected = BinaryPrimitives.ReadUInt32LittleEndian(guest.Pixels.AsSpan(i * 4)) & 0xFFFFFF;
                uint actual = BinaryPrimitives.ReadUInt32LittleEndian(mirror.AsSpan(i * 4)) & 0xFFFFFF;
                Assert.True(expected == actual, $"pixel ({i % Size}, {i / Size}) is {actual:X6}, the guest shows {expected:X6}");
            }

            Assert.Equal(2, copies);
            // Only the dot, now at (10, 6), goes as pixels; a whole tile or band would be 4096 or more.
            Assert.True(pixels <= 1, $"{pixels} pixels were sent besides the two CopyRects");
        }
        finally
        {
            await client.DisposeAsync();
            await server.StopAsync().WaitAsync(TestClient.Timeout);
        }
    }
}
