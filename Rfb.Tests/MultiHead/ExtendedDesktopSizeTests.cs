using Rfb.Encodings;
using Rfb.Tests.Protocol;

namespace Rfb.Tests.MultiHead;

public sealed class ExtendedDesktopSizeTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task FirstUpdate_TwoHeads_SendsScreenListThenHeadsAndBlackCorner()
    {
        await using var server = new MultiHeadServer();
        server.AddHead(4, 2, 0x00112233);
        server.AddHead(3, 3, 0x00445566);
        await using TestClient client = server.Connect();
        (int width, int height, _) = await client.HandshakeAsync();
        Assert.Equal((7, 3), (width, height));
        await client.SendAsync(ClientMessages.SetEncodings(EncodingType.Raw, EncodingType.ExtendedDesktopSize));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 7, 3));

        // Written by hand from rfbproto: ExtendedDesktopSize is a rectangle with x = reason 0,
        // y = status 0, the framebuffer size and encoding -308 (0xFFFFFECC), then a one-byte
        // screen count, 3 padding bytes and 16 bytes per screen (id, x, y, w, h, flags).
        byte[] expectedHead =
        [
            0, 0, 0, 4,
            0, 0, 0, 0, 0, 7, 0, 3, 0xFF, 0xFF, 0xFE, 0xCC,
            2, 0, 0, 0,
            0, 0, 0, 1, 0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0,
            0, 0, 0, 2, 0, 4, 0, 0, 0, 3, 0, 3, 0, 0, 0, 0,
        ];
        Assert.Equal(expectedHead, await client.ReadExactAsync(expectedHead.Length));

        // Head 1 at 0,0; the black area under it; head 2 at 4,0 last (it holds the bottom-right corner).
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0 }, await client.ReadExactAsync(12));
        Assert.Equal(Enumerable.Repeat(new byte[] { 0x33, 0x22, 0x11, 0 }, 8).SelectMany(b => b), await client.ReadExactAsync(32));
        Assert.Equal(new byte[] { 0, 0, 0, 2, 0, 4, 0, 1, 0, 0, 0, 0 }, await client.ReadExactAsync(12));
        Assert.Equal(new byte[16], await client.ReadExactAsync(16));
        Assert.Equal(new byte[] { 0, 4, 0, 0, 0, 3, 0, 3, 0, 0, 0, 0 }, await client.ReadExactAsync(12));
        Assert.Equal(Enumerable.Repeat(new byte[] { 0x66, 0x55, 0x44, 0 }, 9).SelectMany(b => b), await client.ReadExactAsync(36));
        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task HeadResize_ClientWithExtendedDesktopSize_GetsReasonZeroAndWholeLayout()
    {
        await using var server = new MultiHeadServer((4, 2), (3, 3));
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 7, 3));
        await client.AssertNothingAsync(Quiet);

        server.Hosts[0].Switch(5, 4, 0x00ABCDEF);
        List<UpdateRect> update = await client.ReadUpdateAsync();
        UpdateRect eds = update[0];
        Assert.Equal((0, 0, 8, 4, EncodingType.ExtendedDesktopSize), (eds.X, eds.Y, eds.Width, eds.Height, eds.Encoding));
        Assert.Equal([(1u, 0, 0, 5, 4, 0u), (2u, 5, 0, 3, 3, 0u)], eds.Screens());
        UpdateRect head1 = update.Single(r => r.Encoding == 0 && r.X == 0 && r.Y == 0);
        Assert.Equal((5, 4), (head1.Width, head1.Height));
        Assert.Equal(0x00ABCDEFu, head1.Pixel(4, 3));
        Assert.Contains(update, r => r.Encoding == 0 && r.X == 5 && r.Y == 3 && r.Width == 3 && r.Height == 1);
    }

    [Fact]
    public async Task HeadResize_ClientWithOnlyDesktopSize_GetsDesktopSize()
    {
        await using var server = new MultiHeadServer((4, 2), (3, 3));
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.DesktopSize);
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 7, 3));
        server.Hosts[1].Switch(6, 2, 0x00010203);
        List<UpdateRect> update = await client.ReadUpdateAsync();
        Assert.Equal((0, 0, 10, 2, EncodingType.DesktopSize), (update[0].X, update[0].Y, update[0].Width, update[0].Height, update[0].Encoding));
        Assert.DoesNotContain(update, r => r.Encoding == EncodingType.ExtendedDesktopSize);
        Assert.Equal(0x00010203u, update.Single(r => r.X == 4).Pixel(9, 1));
    }

    [Fact]
    public async Task HeadResize_ClientWithNeither_KeepsItsSizeAndGetsClippedPixels()
    {
        await using var server = new MultiHeadServer((4, 2), (3, 3));
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw);
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 7, 3));
        server.Hosts[0].Switch(6, 5, 0x00FFFFFF);
        List<UpdateRect> update = await client.ReadUpdateAsync();
        Assert.All(update, r => Assert.Equal(EncodingType.Raw, r.Encoding));
        Assert.All(update, r => Assert.True(r.X + r.Width <= 7 && r.Y + r.Height <= 3, $"{r} is outside 7x3"));
        Assert.Contains(update, r => r.X == 0 && r.Y == 0 && r.Width == 6 && r.Height == 3);
    }

    [Fact]
    public async Task Hotplug_AddAndRemoveWhileConnected_ScreenListFollows()
    {
        await using var server = new MultiHeadServer((4, 2));
        await using TestClient eds = server.Connect();
        await using TestClient plain = server.Connect();
        List<UpdateRect> first = await eds.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        Assert.Equal([(1u, 0, 0, 4, 2, 0u)], first[0].Screens());
        await plain.StartAsync(EncodingType.Raw, EncodingType.DesktopSize, EncodingType.LastRect);
        await eds.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 4, 2));
        await plain.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 4, 2));

        ResizingHost added = server.AddHead(2, 2, 0x00C0FFEE);
        List<UpdateRect> plugged = await eds.ReadUpdateAsync();
        Assert.Equal([(1u, 0, 0, 4, 2, 0u), (2u, 4, 0, 2, 2, 0u)], plugged[0].Screens());
        Assert.Equal(0x00C0FFEEu, plugged.Single(r => r.X == 4).Pixel(5, 1));
        List<UpdateRect> plainPlugged = await plain.ReadUpdateAsync();
        Assert.Equal((6, 2, EncodingType.DesktopSize), (plainPlugged[0].Width, plainPlugged[0].Height, plainPlugged[0].Encoding));

        await eds.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 6, 2));
        await plain.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 6, 2));
        Assert.True(server.Desktop.RemoveHead(server.Desktop.FindHead(1)!));
        List<UpdateRect> unplugged = await eds.ReadUpdateAsync();
        Assert.Equal([(2u, 0, 0, 2, 2, 0u)], unplugged[0].Screens());
        Assert.Equal((2, 2), (unplugged[0].Width, unplugged[0].Height));
        Assert.Equal(0x00C0FFEEu, unplugged.Single(r => r.Encoding == 0).Pixel(0, 0));
        List<UpdateRect> plainUnplugged = await plain.ReadUpdateAsync();
        Assert.Equal((2, 2, EncodingType.DesktopSize), (plainUnplugged[0].Width, plainUnplugged[0].Height, plainUnplugged[0].Encoding));
        _ = added;
    }

    [Fact]
    public async Task Pointer_OverSecondHead_GoesToItsHostInItsPixels()
    {
        await using var server = new MultiHeadServer((4, 2), (3, 3));
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw);
        await client.SendAsync(ClientMessages.PointerEvent(1, 5, 2));
        await client.SendAsync(ClientMessages.KeyEvent(true, 0x61));
        await client.SendAsync(ClientMessages.PointerEvent(0, 1, 2)); // black area: stays on head 2, clamped
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 1, 1));
        await client.ReadUpdateAsync();
        Assert.Empty(server.Hosts[0].Input);
        Assert.Equal(["pointer 1,2 1", "key 61", "pointer 0,2 0"], server.Hosts[1].Input);
    }
}
