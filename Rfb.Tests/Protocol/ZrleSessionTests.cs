using System.Buffers.Binary;
using Rfb.Encodings;
using Rfb.Tests.Encodings.Zlib;
using Rfb.Tests.Encodings.Zrle;

namespace Rfb.Tests.Protocol;

/// <summary>
/// What a session does for a ZRLE client: a changed area that starts between two tile columns
/// goes as two rectangles cut at the next column, so that ZRLE's tiles of the second lie on the
/// damage tiles (the pixels exact, with and without LastRect); on flat content two changes go
/// as their bounding box; the stream's zlib level follows the client's compress level, or is
/// zlib's default when it names none.
/// </summary>
public sealed class ZrleSessionTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Update_ChangeStartingBetweenTileColumns_TwoZrleRectanglesCutAtTheColumn(bool lastRect)
    {
        await using var server = new InMemoryServer(256, 128); // tiles: 4 x 2
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 256, 128));
        await client.ReadExactAsync(4 + 12 + 256 * 128 * 4);
        await client.SendAsync(lastRect ? ClientMessages.SetEncodings(EncodingType.Zrle, EncodingType.LastRect) : ClientMessages.SetEncodings(EncodingType.Zrle));

        // Columns 70..199 of rows 10..20 change: boxes in tiles 1, 2 and 3 of the top row.
        for (int y = 10; y < 21; y++)
        {
            for (int x = 70; x < 200; x++)
            {
                server.SetPixel(x, y, Colour(x, y));
            }
        }

        server.Console.Invalidate(0, 0, 256, 128);
        server.Console.Refresh();
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 256, 128));

        using var decoder = new ZrleTestDecoder(256, 128, 3);
        List<(int X, int Y, int Width, int Height)> rectangles = await ReadZrleUpdateAsync(client, decoder, lastRect);
        Assert.Equal([(70, 10, 58, 11), (128, 10, 72, 11)], rectangles);
        for (int y = 10; y < 21; y++)
        {
            for (int x = 70; x < 200; x++)
            {
                int at = ((y * 256) + x) * 3;
                uint decoded = (uint)(decoder.Framebuffer[at] | (decoder.Framebuffer[at + 1] << 8) | (decoder.Framebuffer[at + 2] << 16));
                Assert.True(Colour(x, y) == decoded, $"pixel ({x}, {y}): {decoded:x6}, expected {Colour(x, y):x6}");
            }
        }

        await client.AssertNothingAsync(Quiet);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Update_TwoChangesOnFlatContent_OneBoundingBoxOnNoiseTwoRectangles(bool noise)
    {
        await using var server = new InMemoryServer(256, 128);
        var random = new Random(5);
        for (int y = 0; noise && y < 128; y++)
        {
            for (int x = 0; x < 256; x++)
            {
                server.SetPixel(x, y, (uint)random.Next(0x100_0000));
            }
        }

        server.Console.Invalidate(0, 0, 256, 128);
        server.Console.Refresh();
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(ClientMessages.SetEncodings(EncodingType.Zrle, EncodingType.LastRect));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 256, 128));
        using var decoder = new ZrleTestDecoder(256, 128, 3);
        Assert.Equal([(0, 0, 256, 128)], await ReadZrleUpdateAsync(client, decoder));

        // Two 50x20 changes in tiles 0 and 1 of the top row: their bounding box, 10..120 x
        // 10..40, holds 3300 pixels, under three times their 2000.
        for (int y = 0; y < 20; y++)
        {
            for (int x = 0; x < 50; x++)
            {
                server.SetPixel(10 + x, 10 + y, Colour(x, y));
                server.SetPixel(70 + x, 20 + y, Colour(y, x));
            }
        }

        server.Console.Invalidate(0, 0, 256, 128);
        server.Console.Refresh();
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 256, 128));
        List<(int X, int Y, int Width, int Height)> rectangles = await ReadZrleUpdateAsync(client, decoder);

        // Flat content: the bounding box, cut at the tile column at 64. Noise: the two changes.
        Assert.Equal(noise ? [(10, 10, 50, 20), (70, 20, 50, 20)] : [(10, 10, 54, 30), (64, 10, 56, 30)], rectangles);
        for (int y = 0; y < 128; y++)
        {
            for (int x = 0; x < 256; x++)
            {
                int at = ((y * 256) + x) * 3;
                uint decoded = (uint)(decoder.Framebuffer[at] | (decoder.Framebuffer[at + 1] << 8) | (decoder.Framebuffer[at + 2] << 16));
                uint expected = BinaryPrimitives.ReadUInt32LittleEndian(server.Memory.AsSpan(((y * 256) + x) * 4)) & 0xFFFFFF;
                Assert.True(expected == decoded, $"pixel ({x}, {y}): {decoded:x6}, expected {expected:x6}");
            }
        }

        await client.AssertNothingAsync(Quiet);
    }

    // Reads one update of ZRLE rectangles, closed by LastRect or counted in its header, decoding
    // them; returns their bounds.
    private static async Task<List<(int X, int Y, int Width, int Height)>> ReadZrleUpdateAsync(TestClient client, ZrleTestDecoder decoder, bool lastRect = true)
    {
        byte[] header = await client.ReadExactAsync(4);
        Assert.Equal(0, header[0]);
        int count = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
        Assert.True(!lastRect || count == 0xFFFF, $"{count} rectangles counted for a client with LastRect");
        var rectangles = new List<(int X, int Y, int Width, int Height)>();
        while (lastRect || rectangles.Count < count)
        {
            byte[] rect = await client.ReadExactAsync(12);
            int encoding = BinaryPrimitives.ReadInt32BigEndian(rect.AsSpan(8));
            if (encoding == EncodingType.LastRect)
            {
                Assert.True(lastRect, "a LastRect rectangle to a client that did not ask for it");
                return rectangles;
            }

            Assert.Equal(EncodingType.Zrle, encoding);
            byte[] length = await client.ReadExactAsync(4);
            byte[] data = await client.ReadExactAsync((int)BinaryPrimitives.ReadUInt32BigEndian(length));
            var r = new EncodedRectangle(
                BinaryPrimitives.ReadUInt16BigEndian(rect),
                BinaryPrimitives.ReadUInt16BigEndian(rect.AsSpan(2)),
                BinaryPrimitives.ReadUInt16BigEndian(rect.AsSpan(4)),
                BinaryPrimitives.ReadUInt16BigEndian(rect.AsSpan(6)),
                encoding,
                data);
            decoder.Decode(r);
            rectangles.Add((r.X, r.Y, r.Width, r.Height));
        }

        return rectangles;
    }

    [Theory]
    [InlineData(false, 2)] // none named: zlib's default level 6, FLEVEL 2 (RFC 1950)
    [InlineData(true, 1)]  // compress level 2 named: zlib 4, FLEVEL 1
    public async Task Update_Zrle_ZlibLevelFromTheNamedCompressLevelElseZlibsDefault(bool named, int flevel)
    {
        await using var server = new InMemoryServer(64, 64);
        await using TestClient client = server.Connect();
        await client.HandshakeAsync();
        await client.SendAsync(named ? ClientMessages.SetEncodings(EncodingType.Zrle, EncodingType.CompressLevel0 + 2) : ClientMessages.SetEncodings(EncodingType.Zrle));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 64, 64));

        byte[] head = await client.ReadExactAsync(4 + 12 + 4);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2)));
        Assert.Equal(EncodingType.Zrle, BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(12)));
        byte[] data = await client.ReadExactAsync((int)BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16)));
        Assert.Equal(0x78, data[0]);
        Assert.Equal(flevel, data[1] >> 6);
    }

    private static uint Colour(int x, int y) => (uint)(((x * 7) + (y * 131)) & 0xFFFFFF) | 0x000001;
}
