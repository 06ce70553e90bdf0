using System.Buffers.Binary;
using ConsoleBridge;
using Rfb.Encodings;

namespace Rfb.Tests.Protocol;

/// <summary>
/// Damage finer than a tile: a client that missed only a tile's latest change gets just the
/// pixels that change touched; one that missed more gets the whole tile. CopyRect and partial
/// changes together keep the client's framebuffer equal to the guest's.
/// </summary>
public sealed class PartialTileUpdateTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Update_FewRowsChangedAcrossTiles_SendsOnlyThoseRows()
    {
        await using var server = new InMemoryServer(256, 128); // tiles: 4 x 2
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 256, 128));
        await client.ReadExactAsync(4 + 12 + 256 * 128 * 4);

        // A line of text: rows 10..12 change across the whole width.
        for (int y = 10; y < 13; y++)
        {
            for (int x = 0; x < 256; x++)
            {
                server.SetPixel(x, y, Colour(x, y));
            }
        }

        server.Console.Invalidate(0, 0, 256, 128);
        server.Console.Refresh();
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 256, 128));

        // Each of the four tiles of the top row changed in rows 10..12 over its whole width;
        // the four boxes touch at the tile edges with the same rows: one 256x3 Raw rectangle at 0,10.
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 10, 1, 0, 0, 3, 0, 0, 0, 0 }, await client.ReadExactAsync(16));
        byte[] pixels = await client.ReadExactAsync(256 * 3 * 4);
        for (int i = 0; i < 256 * 3; i++)
        {
            Assert.Equal(Colour(i % 256, 10 + i / 256), BinaryPrimitives.ReadUInt32LittleEndian(pixels.AsSpan(i * 4)));
        }

        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task Update_RowsStraddlingATileEdge_OneRectangleAcrossBothTileRows()
    {
        await using var server = new InMemoryServer(256, 128);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 256, 128));
        await client.ReadExactAsync(4 + 12 + 256 * 128 * 4);

        for (int y = 60; y < 68; y++)
        {
            for (int x = 0; x < 256; x++)
            {
                server.SetPixel(x, y, Colour(x, y));
            }
        }

        server.Console.Invalidate(0, 0, 256, 128);
        server.Console.Refresh();
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 256, 128));

        // Top tiles changed in rows 60..63, bottom tiles in rows 64..67, all across their width:
        // 256x4 at 0,60 and 256x4 at 0,64 share their columns and touch, so one 256x8 at 0,60.
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 60, 1, 0, 0, 8, 0, 0, 0, 0 }, await client.ReadExactAsync(16));
        byte[] pixels = await client.ReadExactAsync(256 * 8 * 4);
        Assert.Equal(Colour(255, 67), BinaryPrimitives.ReadUInt32LittleEndian(pixels.AsSpan(pixels.Length - 4)));
        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task Update_ClientMissedTwoChangesOfATile_GetsTheirBounds_ClientThatSawTheFirstGetsOnlyTheSecond()
    {
        await using var server = new InMemoryServer(128, 64);
        await using TestClient following = server.Connect();
        await following.HandshakeAsync();
        await using TestClient lagging = server.Connect();
        await lagging.HandshakeAsync();
        foreach (TestClient c in (TestClient[])[following, lagging])
        {
            await c.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 128, 64));
            await c.ReadExactAsync(4 + 12 + 128 * 64 * 4);
        }

        server.SetPixel(5, 5, 0x00112233);
        server.Console.Invalidate(0, 0, 128, 64);
        server.Console.Refresh();
        await following.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 128, 64));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 5, 0, 5, 0, 1, 0, 1, 0, 0, 0, 0, 0x33, 0x22, 0x11, 0 }, await following.ReadExactAsync(20));

        server.SetPixel(40, 40, 0x00445566);
        server.Console.Invalidate(0, 0, 128, 64);
        server.Console.Refresh();

        // The following client holds tile 0 as it was before this change: one pixel.
        await following.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 128, 64));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 40, 0, 40, 0, 1, 0, 1, 0, 0, 0, 0, 0x66, 0x55, 0x44, 0 }, await following.ReadExactAsync(20));

        // The lagging client missed both changes of tile 0, which the tile still keeps: the
        // bounds of both, 36x36 at 5,5.
        await lagging.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 128, 64));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 5, 0, 5, 0, 36, 0, 36, 0, 0, 0, 0 }, await lagging.ReadExactAsync(16));
        byte[] box = await lagging.ReadExactAsync(36 * 36 * 4);
        Assert.Equal(0x00112233u, BinaryPrimitives.ReadUInt32LittleEndian(box));
        Assert.Equal(0x00445566u, BinaryPrimitives.ReadUInt32LittleEndian(box.AsSpan((35 * 36 + 35) * 4)));
        await following.AssertNothingAsync(Quiet);
        await lagging.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task Update_LineDrawnThenBlitted_CopyRectAndTheLineAtBothPlaces()
    {
        await using var server = new InMemoryServer(256, 128); // tiles: 4 x 2
        for (int i = 0; i < 256 * 128; i++)
        {
            server.SetPixel(i % 256, i / 256, Colour(i % 256, i / 256));
        }

        server.Console.Invalidate(0, 0, 256, 128);
        server.Console.Refresh();
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.SetEncodings(EncodingType.CopyRect, EncodingType.Raw, EncodingType.LastRect));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 256, 128));
        var mirror = new byte[256 * 128 * 4];
        await CopyRectChainTests.ReadUpdateAsync(client, mirror, 256);

        // The guest draws a line (rows 70..72, x 0..127), then blits the bottom-left quarter,
        // line included, to the top-right quarter.
        for (int y = 70; y < 73; y++)
        {
            for (int x = 0; x < 128; x++)
            {
                server.SetPixel(x, y, 0x00FFFFFF);
            }
        }

        server.Console.Invalidate(0, 70, 128, 3);
        server.Console.Refresh();
        Blit(server, 0, 64, 128, 0, 128, 64);
        server.Console.CopyRect(0, 64, 128, 0, 128, 64);
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 256, 128));

        // The client's source lacks the line, so its CopyRect puts the old pixels at rows 6..8 of
        // the destination: the line is sent there too, after the copy, besides at its own place.
        // Expected, derived from the operations: CopyRect 128x64 at 128,0 from 0,64; Raw 128x3
        // at 128,6; Raw 128x3 at 0,70 (raster order); LastRect.
        byte[] copy = [0, 0, 0xFF, 0xFF, 0, 128, 0, 0, 0, 128, 0, 64, 0, 0, 0, 1, 0, 0, 0, 64];
        Assert.Equal(copy, await client.ReadExactAsync(copy.Length));
        Assert.Equal(new byte[] { 0, 128, 0, 6, 0, 128, 0, 3, 0, 0, 0, 0 }, await client.ReadExactAsync(12));
        Assert.All(await client.ReadExactAsync(128 * 3 * 4), (b, i) => Assert.Equal(i % 4 == 3 ? 0 : 0xFF, b));
        Assert.Equal(new byte[] { 0, 0, 0, 70, 0, 128, 0, 3, 0, 0, 0, 0 }, await client.ReadExactAsync(12));
        Assert.All(await client.ReadExactAsync(128 * 3 * 4), (b, i) => Assert.Equal(i % 4 == 3 ? 0 : 0xFF, b));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x20 }, await client.ReadExactAsync(12));
        await client.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task Update_ScrollInTwoBlitsNotAlignedToTiles_TwoCopyRectsAndOnlyTheNewLine()
    {
        await using var server = new InMemoryServer(256, 192); // tiles: 4 x 3
        for (int i = 0; i < 256 * 192; i++)
        {
            server.SetPixel(i % 256, i / 256, Colour(i % 256, i / 256));
        }

        server.Console.Invalidate(0, 0, 256, 192);
        server.Console.Refresh();
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.SetEncodings(EncodingType.CopyRect, EncodingType.Raw, EncodingType.LastRect));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 256, 192));
        var mirror = new byte[256 * 192 * 4];
        await CopyRectChainTests.ReadUpdateAsync(client, mirror, 256);

        // A terminal scrolls by 10 rows, as two blits of half the width each (as X servers
        // split them), then draws the new line in rows 182..191.
        Blit(server, 0, 10, 0, 0, 128, 182);
        server.Console.CopyRect(0, 10, 0, 0, 128, 182);
        Blit(server, 128, 10, 128, 0, 128, 182);
        server.Console.CopyRect(128, 10, 128, 0, 128, 182);
        for (int y = 182; y < 192; y++)
        {
            for (int x = 0; x < 256; x++)
            {
                server.SetPixel(x, y, 0x00FFFFFF);
            }
        }

        server.Console.Invalidate(0, 182, 256, 10);
        server.Console.Refresh();
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 256, 192));

        // The blits cover the bottom tiles only in part (rows 128..181), but nothing else
        // changed the head between them, so those tiles are known after the CopyRects and owe
        // only the new line: CopyRect 128x182 at 0,0 from 0,10; the same at 128,0 from 128,10;
        // Raw 256x10 at 0,182 (the four bottom tiles' rows 182..191, joined); LastRect.
        byte[] copies =
        [
            0, 0, 0xFF, 0xFF,
            0, 0, 0, 0, 0, 128, 0, 182, 0, 0, 0, 1, 0, 0, 0, 10,
            0, 128, 0, 0, 0, 128, 0, 182, 0, 0, 0, 1, 0, 128, 0, 10,
            0, 0, 0, 182, 1, 0, 0, 10, 0, 0, 0, 0,
        ];
        Assert.Equal(copies, await client.ReadExactAsync(copies.Length));
        Assert.All(await client.ReadExactAsync(256 * 10 * 4), (b, i) => Assert.Equal(i % 4 == 3 ? 0 : 0xFF, b));
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x20 }, await client.ReadExactAsync(12));
        await client.AssertNothingAsync(Quiet);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public async Task RandomDrawingBlitsAndSkippedRequests_ClientFollowsPixelExact(int seed)
    {
        const int W = 320, H = 200; // tiles: 5 x 4, the bottom row 8 pixels high
        var random = new Random(seed);
        await using var server = new InMemoryServer(W, H);
        for (int i = 0; i < W * H; i++)
        {
            server.SetPixel(i % W, i / W, (uint)random.Next(4) * 0x00404040u);
        }

        server.Console.Invalidate(0, 0, W, H);
        server.Console.Refresh();
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.SetEncodings(EncodingType.CopyRect, EncodingType.Raw, EncodingType.LastRect));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, W, H));
        var mirror = new byte[W * H * 4];
        await CopyRectChainTests.ReadUpdateAsync(client, mirror, W);
        int copies = 0, pixels = 0, checkedUpdates = 0;
        for (int round = 0; round < 120; round++)
        {
            // A few operations: small drawings (some of which change nothing) and blits,
            // overlapping or not, partly covering tiles or whole ones.
            int operations = random.Next(1, 5);
            for (int o = 0; o < operations; o++)
            {
                if (random.Next(3) == 0)
                {
                    int w = random.Next(1, W / 2), h = random.Next(1, H / 2);
                    int sx = random.Next(W - w + 1), sy = random.Next(H - h + 1);
                    int dx = random.Next(2) == 0 ? sx : random.Next(W - w + 1), dy = random.Next(H - h + 1);
                    Blit(server, sx, sy, dx, dy, w, h);
                    server.Console.CopyRect(sx, sy, dx, dy, w, h);
                }
                else
                {
                    int w = random.Next(1, 40), h = random.Next(1, 20);
                    int x = random.Next(W - w + 1), y = random.Next(H - h + 1);
                    uint colour = (uint)random.Next(4) * 0x00404040u;
                    for (int yy = y; yy < y + h; yy++)
                    {
                        for (int xx = x; xx < x + w; xx++)
                        {
                            server.SetPixel(xx, yy, colour);
                        }
                    }

                    server.Console.Invalidate(x, y, w, h);
                }

                if (random.Next(2) == 0)
                {
                    server.Console.Refresh();
                }
            }

            // Now and then the client asks for part of the screen only (blits outside it are
            // skipped, damage outside it stays owed), or for nothing, so it misses changes.
            int kind = random.Next(6);
            int rw = random.Next(1, W + 1), rh = random.Next(1, H + 1);
            var area = kind == 0 ? new PixelRect(random.Next(W - rw + 1), random.Next(H - rh + 1), rw, rh) : new PixelRect(0, 0, W, H);

            // One pixel inside the area surely changes, so that the request is answered.
            int px = area.X + random.Next(area.Width), py = area.Y + random.Next(area.Height);
            server.SetPixel(px, py, Pixel(server, px, py) ^ 0x00010101u);
            server.Console.Invalidate(px, py, 1, 1);
            server.Console.Refresh();
            if (kind == 1)
            {
                continue;
            }

            await client.SendAsync(ClientMessages.UpdateRequest(true, area.X, area.Y, area.Width, area.Height));
            (int c, int p) = await CopyRectChainTests.ReadUpdateAsync(client, mirror, W);
            copies += c;
            pixels += p;
            if (kind == 0)
            {
                continue;
            }

            checkedUpdates++;
            for (int i = 0; i < W * H; i++)
            {
                uint expected = Pixel(server, i % W, i / W);
                uint actual = BinaryPrimitives.ReadUInt32LittleEndian(mirror.AsSpan(i * 4)) & 0xFFFFFF;
                Assert.True(expected == actual, $"round {round}: pixel ({i % W}, {i / W}) is {actual:X6}, the guest shows {expected:X6}");
            }
        }

        Assert.True(checkedUpdates > 40, $"{checkedUpdates} updates checked");
        Assert.True(copies > 0, $"no blit reached the client as a CopyRect ({pixels} pixels sent)");
    }

    private static uint Colour(int x, int y) => (uint)((x * 7 + y * 131) & 0xFFFFFF);

    private static uint Pixel(InMemoryServer server, int x, int y) =>
        BinaryPrimitives.ReadUInt32LittleEndian(server.Memory.AsSpan((y * server.Width + x) * 4)) & 0xFFFFFF;

    /// <summary>Moves guest pixels as a guest's blitter does, overlapping areas included.</summary>
    private static void Blit(InMemoryServer server, int sx, int sy, int dx, int dy, int w, int h)
    {
        var copy = new byte[w * h * 4];
        int stride = server.Width * 4;
        for (int r = 0; r < h; r++)
        {
            server.Memory.AsSpan((sy + r) * stride + sx * 4, w * 4).CopyTo(copy.AsSpan(r * w * 4));
        }

        for (int r = 0; r < h; r++)
        {
            copy.AsSpan(r * w * 4, w * 4).CopyTo(server.Memory.AsSpan((dy + r) * stride + dx * 4));
        }
    }
}
