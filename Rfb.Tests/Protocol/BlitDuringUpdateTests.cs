using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using ConsoleBridge;
using Rfb.Encodings;
using Rfb.Recording;

namespace Rfb.Tests.Protocol;

/// <summary>
/// A session plans an update under the head's read lock and encodes it under another; a guest
/// blit (a scroll) that lands in between must not end up applied twice on the client.
/// </summary>
public sealed class BlitDuringUpdateTests
{
    private const int Size = 256;

    [Fact]
    public async Task Update_ScrollBetweenPlanAndEncode_ClientEndsEqualToTheGuest()
    {
        var guest = new TraceFramebuffer(Size, Size);
        var rows = new byte[Size * Size * 4];
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                // Every row differs, so a scroll by any amount changes every pixel it moves.
                BinaryPrimitives.WriteUInt32LittleEndian(rows.AsSpan((y * Size + x) * 4), (uint)((y * 0x010305) ^ (x * 0x000101)) & 0xFFFFFF);
            }
        }

        guest.WriteRaw(0, 0, Size, Size, rows);
        using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        console.SwitchSurface(guest.CreateSurface());
        bool armed = false;
        var options = new RfbServerOptions
        {
            AfterUpdatePlannedForTests = () =>
            {
                if (armed)
                {
                    // The guest scrolls everything up by 16 rows after the session planned the
                    // update (the small square) and before it reads the pixels.
                    armed = false;
                    guest.Copy(0, 16, 0, 0, Size, Size - 16);
                    console.CopyRect(0, 16, 0, 0, Size, Size - 16);
                }
            },
        };
        options.Endpoints.Clear();
        var server = new RfbServer(console, options);
        var toServer = new Pipe();
        var toClient = new Pipe();
        _ = server.RunSessionAsync(new CopyRectChainTests.DuplexPipe(toServer.Reader, toClient.Writer), "blit-during-update", IPAddress.Loopback);
        var client = new TestClient(toClient.Reader, toServer.Writer);
        try
        {
            await client.HandshakeAsync();
            await client.SendAsync(ClientMessages.SetEncodings(EncodingType.CopyRect, EncodingType.Raw, EncodingType.LastRect));
            var mirror = new byte[Size * Size * 4];
            await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, Size, Size));
            await CopyRectChainTests.ReadUpdateAsync(client, mirror, Size);
            AssertMirrorIsGuest(mirror, guest, "first update");

            // A small square changes; the scroll comes while its update is being built.
            var square = new byte[20 * 20 * 4];
            square.AsSpan().Fill(0x7F);
            guest.WriteRaw(100, 100, 20, 20, square);
            console.Invalidate(100, 100, 20, 20);
            console.Refresh();
            armed = true;
            await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, Size, Size));
            await CopyRectChainTests.ReadUpdateAsync(client, mirror, Size);
            Assert.False(armed, "the blit was not made between plan and encode");

            // The next update brings the client level with the guest.
            await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, Size, Size));
            await CopyRectChainTests.ReadUpdateAsync(client, mirror, Size);
            AssertMirrorIsGuest(mirror, guest, "after the update that followed the scroll");
        }
        finally
        {
            await client.DisposeAsync();
            await server.StopAsync().WaitAsync(TestClient.Timeout);
        }
    }

    private static void AssertMirrorIsGuest(byte[] mirror, TraceFramebuffer guest, string when)
    {
        for (int i = 0; i < Size * Size; i++)
        {
            uint expected = BinaryPrimitives.ReadUInt32LittleEndian(guest.Pixels.AsSpan(i * 4)) & 0xFFFFFF;
            uint actual = BinaryPrimitives.ReadUInt32LittleEndian(mirror.AsSpan(i * 4)) & 0xFFFFFF;
            Assert.True(expected == actual, $"{when}: pixel ({i % Size}, {i / Size}) is {actual:X6}, the guest shows {expected:X6}");
        }
    }
}
