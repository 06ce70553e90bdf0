using System.Buffers.Binary;
using Rfb.Encodings;

namespace Rfb.Tests.Protocol;

public sealed class UpdateTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Update_NonIncremental_SendsRawRectOfWholeFramebuffer()
    {
        await using var server = new InMemoryServer(4, 2);
        for (int i = 0; i < 8; i++)
        {
            server.SetPixel(i % 4, i / 4, 0x00102030u + (uint)i);
        }

        server.Console.Invalidate(0, 0, 4, 2);
        server.Console.Refresh();
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        byte[] expected =
        [
            0, 0, 0, 1,                          // FramebufferUpdate, 1 rectangle
            0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0,  // 4x2 at 0,0, Raw
            0x30, 0x20, 0x10, 0, 0x31, 0x20, 0x10, 0, 0x32, 0x20, 0x10, 0, 0x33, 0x20, 0x10, 0,
            0x34, 0x20, 0x10, 0, 0x35, 0x20, 0x10, 0, 0x36, 0x20, 0x10, 0, 0x37, 0x20, 0x10, 0,
        ];
        Assert.Equal(expected, await client.ReadExactAsync(expected.Length));
    }

    [Fact]
    public async Task Update_RequestBeyondFramebuffer_IsClippedToIt()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.UpdateRequest(false, 2, 1, 60000, 60000));
        byte[] header = await client.ReadExactAsync(16);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0 }, header);
        Assert.Equal(new byte[32], await client.ReadExactAsync(32));
        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task Update_Incremental_WaitsForDamageThenSendsOnlyChangedPixels()
    {
        await using var server = new InMemoryServer(130, 70); // tiles: 3 x 2
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 130, 70));
        await client.ReadExactAsync(4 + 12 + 130 * 70 * 4);
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 130, 70));
        await client.AssertNothingAsync(Quiet);

        server.SetPixel(100, 65, 0x00ABCDEF);
        server.Console.Invalidate(0, 0, 130, 70);
        server.Console.Refresh();

        // The client holds tile (1, 1) as it was before this one change, so it gets only the
        // pixel the refresh found different: 1x1 at 100,65, Raw.
        byte[] expected =
        [
            0, 0, 0, 1,
            0, 100, 0, 65, 0, 1, 0, 1, 0, 0, 0, 0,
            0xEF, 0xCD, 0xAB, 0,
        ];
        Assert.Equal(expected, await client.ReadExactAsync(expected.Length));
        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task Update_NoRequestOutstanding_DamageAccumulatesWithoutQueueing()
    {
        await using var server = new InMemoryServer(130, 70);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 130, 70));
        await client.ReadExactAsync(4 + 12 + 130 * 70 * 4);

        // Two changes to two tiles while the client has asked for nothing.
        server.SetPixel(1, 1, 0x00FF0000);
        server.Console.Invalidate(1, 1, 1, 1);
        server.Console.Refresh();
        server.SetPixel(1, 1, 0x0000FF00);
        server.SetPixel(129, 69, 0x000000FF);
        server.Console.Invalidate(0, 0, 130, 70);
        server.Console.Refresh();
        await client.AssertNothingAsync(Quiet);

        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 130, 70));
        byte[] header = await client.ReadExactAsync(4);
        Assert.Equal(new byte[] { 0, 0, 0, 2 }, header);
        byte[] first = await client.ReadExactAsync(12);
        Assert.Equal(new byte[] { 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0 }, first);
        Assert.Equal(new byte[] { 0, 0xFF, 0, 0 }, await client.ReadExactAsync(4)); // the latest value only
        // Tile (0, 0) changed twice since the client's last update, both times at 1,1, so only
        // that pixel comes, once (above); tile (2, 1) changed once: 1x1 at 129,69.
        byte[] second = await client.ReadExactAsync(12);
        Assert.Equal(new byte[] { 0, 129, 0, 69, 0, 1, 0, 1, 0, 0, 0, 0 }, second);
        Assert.Equal(new byte[] { 0xFF, 0, 0, 0 }, await client.ReadExactAsync(4));
        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task Update_LastRectAndPseudoEncodings_SentInFirstUpdateInOrder()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.SetEncodings(EncodingType.Raw, EncodingType.LastRect, EncodingType.DesktopName, EncodingType.QemuExtendedKeyEvent));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        byte[] expected =
        [
            0, 0, 0xFF, 0xFF,                                  // unknown count: ends with LastRect
            0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFE, 0xCD,    // DesktopName (-307)
            0, 0, 0, 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t',
            0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFE, 0xFE,    // QEMU extended key event (-258)
            0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0,                // Raw 4x2
        ];
        Assert.Equal(expected, await client.ReadExactAsync(expected.Length));
        await client.ReadExactAsync(32);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x20 }, await client.ReadExactAsync(12)); // LastRect (-224)
    }

    [Fact]
    public async Task Update_SurfaceResized_DesktopSizeClientGetsNewSizeAndFullFrame()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.SetEncodings(EncodingType.Raw, EncodingType.DesktopSize));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        await client.ReadExactAsync(4 + 12 + 32);

        var bigger = new byte[6 * 3 * 4];
        bigger.AsSpan().Fill(0x11);
        server.Console.SwitchSurface(global::ConsoleBridge.GuestSurface.FromMemory(bigger, 6, 3, 24, global::ConsoleBridge.DrmFourcc.Xrgb8888));
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 4, 2));
        byte[] expected =
        [
            0, 0, 0, 2,
            0, 0, 0, 0, 0, 6, 0, 3, 0xFF, 0xFF, 0xFF, 0x21,    // DesktopSize (-223) 6x3
            0, 0, 0, 0, 0, 6, 0, 3, 0, 0, 0, 0,                // the whole new framebuffer, Raw
        ];
        Assert.Equal(expected, await client.ReadExactAsync(expected.Length));
        byte[] pixels = await client.ReadExactAsync(6 * 3 * 4);
        Assert.Equal(new byte[] { 0x11, 0x11, 0x11, 0 }, pixels.AsSpan(0, 4).ToArray());
    }

    [Fact]
    public async Task Update_SurfaceResized_ClientWithoutResizeKeepsOldSize()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        await client.ReadExactAsync(4 + 12 + 32);

        var bigger = new byte[6 * 3 * 4];
        server.Console.SwitchSurface(global::ConsoleBridge.GuestSurface.FromMemory(bigger, 6, 3, 24, global::ConsoleBridge.DrmFourcc.Xrgb8888));
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 4, 2));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0 }, await client.ReadExactAsync(16));
        await client.ReadExactAsync(32);
        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task Update_GuestBlit_CopyRectClientGetsCopyInsteadOfPixels()
    {
        await using var server = new InMemoryServer(256, 128);
        for (int y = 0; y < 64; y++)
        {
            for (int x = 0; x < 128; x++)
            {
                server.SetPixel(x, y, (uint)(x * 256 + y));
            }
        }

        server.Console.Invalidate(0, 0, 256, 128);
        server.Console.Refresh();
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.SetEncodings(EncodingType.CopyRect, EncodingType.Raw));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 256, 128));
        await client.ReadExactAsync(4 + 12 + 256 * 128 * 4);

        // The guest blits its top-left 128x64 to the bottom-right quarter and reports it.
        for (int y = 0; y < 64; y++)
        {
            server.Memory.AsSpan(y * 1024, 512).CopyTo(server.Memory.AsSpan((64 + y) * 1024 + 512));
        }

        server.Console.CopyRect(0, 0, 128, 64, 128, 64);
        server.Console.Refresh(); // re-checks the destination: nothing differs
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 256, 128));
        byte[] expected =
        [
            0, 0, 0, 1,
            0, 128, 0, 64, 0, 128, 0, 64, 0, 0, 0, 1,          // CopyRect to 128,64 (128x64)
            0, 0, 0, 0,                                        // from 0,0
        ];
        Assert.Equal(expected, await client.ReadExactAsync(expected.Length));
        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task Update_GuestBlit_ClientWithoutCopyRectGetsPixels()
    {
        await using var server = new InMemoryServer(256, 128);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 256, 128));
        await client.ReadExactAsync(4 + 12 + 256 * 128 * 4);
        server.SetPixel(0, 0, 0x00FFFFFF);
        server.Console.Invalidate(0, 0, 1, 1);
        server.Console.Refresh();
        server.Memory.AsSpan(0, 4).CopyTo(server.Memory.AsSpan((64 * 256 + 128) * 4));
        server.Console.CopyRect(0, 0, 128, 64, 1, 1);
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 256, 128));
        // Each tile changed once since the client's last update: the refresh found one pixel
        // different at 0,0 and the blit wrote one pixel at 128,64, so each comes as 1x1 Raw.
        byte[] expected =
        [
            0, 0, 0, 2,
            0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0,
            0xFF, 0xFF, 0xFF, 0,
            0, 128, 0, 64, 0, 1, 0, 1, 0, 0, 0, 0,
            0xFF, 0xFF, 0xFF, 0,
        ];
        Assert.Equal(expected, await client.ReadExactAsync(expected.Length));
        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task BellAndServerCutText_ReachEveryClientWithoutARequest()
    {
        await using var server = new InMemoryServer(4, 2);
        await using TestClient a = server.Connect();
        await a.HandshakeAsync();
        await using TestClient b = server.Connect();
        await b.HandshakeAsync();
        server.Server.Bell();
        Assert.Equal(new byte[] { 2 }, await a.ReadExactAsync(1));
        Assert.Equal(new byte[] { 2 }, await b.ReadExactAsync(1));
        server.Server.SendClipboard("h\u00e9llo\u20ac");
        byte[] expected = [3, 0, 0, 0, 0, 0, 0, 6, (byte)'h', 0xE9, (byte)'l', (byte)'l', (byte)'o', (byte)'?'];
        Assert.Equal(expected, await a.ReadExactAsync(expected.Length));
        Assert.Equal(expected, await b.ReadExactAsync(expected.Length));
    }

    [Fact]
    public async Task SetPixelFormat_Rgb565BigEndian_RawPixelsTranslated()
    {
        await using var server = new InMemoryServer(2, 1);
        server.SetPixel(0, 0, 0x00FF0000); // red
        server.SetPixel(1, 0, 0x000000FF); // blue
        server.Console.Invalidate(0, 0, 2, 1);
        server.Console.Refresh();
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        // 16 bpp, depth 16, big-endian, true colour, max 31/63/31, shifts 11/5/0.
        await client.SendAsync(ClientMessages.SetPixelFormat([16, 16, 1, 1, 0, 31, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0]));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 2, 1));
        byte[] expected = [0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0xF8, 0x00, 0x00, 0x1F];
        Assert.Equal(expected, await client.ReadExactAsync(expected.Length));
    }

    internal static int ReadS32(byte[] b, int offset) => BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(offset));
}
