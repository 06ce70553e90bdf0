using System.Buffers;
using ConsoleBridge;
using Rfb.Encodings;
using Rfb.Protocol;
using Rfb.Tests.Protocol;

namespace Rfb.Tests.MultiHead;

public sealed class SetDesktopSizeTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private static async Task<UpdateRect> RequestAsync(TestClient client, byte[] setDesktopSize, int width, int height)
    {
        await client.SendAsync(setDesktopSize);
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, width, height));
        List<UpdateRect> update = await client.ReadUpdateAsync();
        return update[0];
    }

    [Fact]
    public void Reader_GoldenBytesOnePerSegment_ParsesEveryField()
    {
        // By hand from rfbproto: 251, pad, width 0x0500, height 0x0300, 2 screens, pad, then
        // id 7 at 0,0 1024x768 flags 0 and id 0x01020304 at 1024,0 256x768 flags 5.
        byte[] bytes =
        [
            251, 0, 0x05, 0x00, 0x03, 0x00, 2, 0,
            0, 0, 0, 7, 0, 0, 0, 0, 0x04, 0x00, 0x03, 0x00, 0, 0, 0, 0,
            1, 2, 3, 4, 0x04, 0x00, 0, 0, 0x01, 0x00, 0x03, 0x00, 0, 0, 0, 5,
            3, // the next message's first byte stays in the buffer
        ];
        ReadOnlySequence<byte> sequence = Segments.OnePerByte(bytes);
        ReadOnlySequence<byte> partial = sequence.Slice(0, bytes.Length - 2);
        Assert.False(ClientMessageReader.TryRead(ref partial, new ClientMessageLimits(), out _, acceptSetDesktopSize: true));
        Assert.True(ClientMessageReader.TryRead(ref sequence, new ClientMessageLimits(), out ClientMessage message, acceptSetDesktopSize: true));
        Assert.Equal(1, sequence.Length);
        SetDesktopSizeRequest request = message.DesktopSize!;
        Assert.Equal((1280, 768), (request.Width, request.Height));
        Assert.Equal(
            [new ScreenLayoutEntry(7, new PixelRect(0, 0, 1024, 768), 0), new ScreenLayoutEntry(0x01020304, new PixelRect(1024, 0, 256, 768), 5)],
            request.Screens);
    }

    [Fact]
    public void Reader_WithoutExtendedDesktopSize_Type251IsUnknown()
    {
        var sequence = new ReadOnlySequence<byte>(new byte[] { 251, 0, 0, 1, 0, 1, 0, 0 });
        var ex = Assert.Throws<RfbProtocolException>(() => ClientMessageReader.TryRead(ref sequence, new ClientMessageLimits(), out _));
        Assert.Contains("251", ex.Message);
    }

    [Fact]
    public void Writer_ExtendedDesktopSize_MatchesHandWrittenBytes()
    {
        var output = new ArrayBufferWriter<byte>();
        ServerMessageWriter.WriteExtendedDesktopSize(output, 1, 3, 0x0102, 0x0304, [new ScreenLayoutEntry(9, new PixelRect(1, 2, 3, 4), 0x0A0B0C0D)]);
        byte[] expected =
        [
            0, 1, 0, 3, 0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0xFE, 0xCC,
            1, 0, 0, 0,
            0, 0, 0, 9, 0, 1, 0, 2, 0, 3, 0, 4, 0x0A, 0x0B, 0x0C, 0x0D,
        ];
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    public static TheoryData<string, byte[]> InvalidLayouts => new()
    {
        { "no screens", UpdateReader.SetDesktopSize(7, 3) },
        { "zero width", UpdateReader.SetDesktopSize(0, 3, (1, 0, 0, 4, 2)) },
        { "over 16384", UpdateReader.SetDesktopSize(16385, 3, (1, 0, 0, 4, 2)) },
        { "empty screen", UpdateReader.SetDesktopSize(7, 3, (1, 0, 0, 4, 2), (2, 4, 0, 0, 3)) },
        { "screen outside", UpdateReader.SetDesktopSize(7, 3, (1, 0, 0, 4, 2), (2, 4, 0, 3, 4)) },
        { "screen past the right edge", UpdateReader.SetDesktopSize(7, 3, (1, 0, 0, 4, 2), (2, 5, 0, 3, 3)) },
        { "repeated id", UpdateReader.SetDesktopSize(7, 3, (1, 0, 0, 4, 2), (1, 4, 0, 3, 3)) },
    };

    [Theory]
    [MemberData(nameof(InvalidLayouts))]
    public async Task SetDesktopSize_InvalidLayout_AnswersStatus3AndChangesNothing(string rule, byte[] message)
    {
        await using var server = new MultiHeadServer((4, 2), (3, 3));
        long generation = server.Desktop.Layout.Generation;
        await using TestClient client = server.Connect();
        await using TestClient other = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        await other.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        await other.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 7, 3));

        UpdateRect reply = await RequestAsync(client, message, 7, 3);
        Assert.True((1, 3) == (reply.X, reply.Y), rule);
        Assert.Equal((7, 3), (reply.Width, reply.Height));
        Assert.Equal([(1u, 0, 0, 4, 2, 0u), (2u, 4, 0, 3, 3, 0u)], reply.Screens());
        Assert.Equal(generation, server.Desktop.Layout.Generation);
        Assert.All(server.Hosts, h => Assert.Empty(h.Requests));
        await other.AssertNothingAsync(Quiet);
    }

    [Fact]
    public async Task SetDesktopSize_HostApplies_RequesterGetsStatus0AndOthersReason2()
    {
        await using var server = new MultiHeadServer((4, 2), (3, 3));
        server.Hosts[0].Fill = 0x00AA0000;
        server.Hosts[1].Fill = 0x0000BB00;
        await using TestClient client = server.Connect();
        await using TestClient other = server.Connect();
        await using TestClient plain = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        await other.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        await plain.StartAsync(EncodingType.Raw, EncodingType.DesktopSize);
        await other.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 7, 3));
        await plain.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 7, 3));

        await client.SendAsync(UpdateReader.SetDesktopSize(9, 5, (2, 0, 0, 5, 5), (1, 5, 1, 4, 4)));
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 7, 3));
        List<UpdateRect> update = await client.ReadUpdateAsync();
        Assert.Equal((1, 0, 9, 5), (update[0].X, update[0].Y, update[0].Width, update[0].Height));
        Assert.Equal([(1u, 5, 1, 4, 4, 0u), (2u, 0, 0, 5, 5, 0u)], update[0].Screens());
        Assert.Equal([new DesktopHeadRequest(1, new PixelRect(5, 1, 4, 4))], server.Hosts[0].Requests);
        Assert.Equal([new DesktopHeadRequest(2, new PixelRect(0, 0, 5, 5))], server.Hosts[1].Requests);
        Assert.Equal(0x00AA0000u, update.Single(r => r.Encoding == 0 && r.X == 5 && r.Y == 1).Pixel(8, 4));
        Assert.Equal(0x0000BB00u, update.Single(r => r.Encoding == 0 && r.X == 0 && r.Y == 0).Pixel(4, 4));
        Assert.Equal(0u, update.Single(r => r.Encoding == 0 && r.X == 5 && r.Y == 0).Pixel(8, 0));
        Assert.Equal(1, update.Count(r => r.Encoding == EncodingType.ExtendedDesktopSize));

        // The hosts apply the request one head at a time (a move, then a new surface), so a client
        // whose session runs in between may see a layout on the way first, always as another
        // client's change; the last one it sees is the requested layout.
        UpdateRect seen = await ReadUntilSizeAsync(other, 9, 5);
        Assert.Equal((2, 0), (seen.X, seen.Y));
        Assert.Equal(update[0].Screens(), seen.Screens());
        UpdateRect plainSeen = await ReadUntilSizeAsync(plain, 9, 5);
        Assert.Equal(EncodingType.DesktopSize, plainSeen.Encoding);
    }

    /// <summary>
    /// Reads updates, asking for the next after each, until one resizes the client to
    /// <paramref name="width"/> × <paramref name="height"/>; every resize on the way must be
    /// reported as another client's (reason 2) when it is an ExtendedDesktopSize.
    /// </summary>
    private static async Task<UpdateRect> ReadUntilSizeAsync(TestClient client, int width, int height)
    {
        for (int n = 0; n < 8; n++)
        {
            List<UpdateRect> rects = await client.ReadUpdateAsync();
            foreach (UpdateRect r in rects)
            {
                if (r.Encoding is EncodingType.ExtendedDesktopSize or EncodingType.DesktopSize)
                {
                    if (r.Encoding == EncodingType.ExtendedDesktopSize)
                    {
                        Assert.Equal(2, r.X);
                    }

                    if ((r.Width, r.Height) == (width, height))
                    {
                        return r;
                    }
                }
            }

            await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, width, height));
        }

        Assert.Fail($"no resize to {width}x{height} in 8 updates");
        return null!;
    }

    [Fact]
    public async Task SetDesktopSize_HostDoesNotFollowSizes_AnswersProhibited()
    {
        await using var server = new MultiHeadServer((4, 2), (3, 3));
        server.Hosts[1].Supports = false;
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        UpdateRect reply = await RequestAsync(client, UpdateReader.SetDesktopSize(8, 3, (1, 0, 0, 5, 2), (2, 5, 0, 3, 3)), 7, 3);
        Assert.Equal((1, 1, 7, 3), (reply.X, reply.Y, reply.Width, reply.Height));
        Assert.Empty(server.Hosts[0].Requests);
    }

    [Fact]
    public async Task SetDesktopSize_NewScreenWithoutHotplug_AnswersOutOfResources()
    {
        await using var server = new MultiHeadServer((4, 2));
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        UpdateRect reply = await RequestAsync(client, UpdateReader.SetDesktopSize(8, 2, (1, 0, 0, 4, 2), (77, 4, 0, 4, 2)), 4, 2);
        Assert.Equal((1, 2), (reply.X, reply.Y));
        Assert.Empty(server.Hosts[0].Requests);
        Assert.Single(server.Desktop.Layout.Heads);
    }

    [Fact]
    public async Task SetDesktopSize_LeavesOutAHeadWithoutHotplug_AnswersProhibited()
    {
        await using var server = new MultiHeadServer((4, 2), (3, 3));
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        UpdateRect reply = await RequestAsync(client, UpdateReader.SetDesktopSize(4, 2, (1, 0, 0, 4, 2)), 7, 3);
        Assert.Equal((1, 1), (reply.X, reply.Y));
        Assert.Equal(2, server.Desktop.Layout.Heads.Count);
    }

    [Fact]
    public async Task SetDesktopSize_NewScreenWithHotplug_HostPlugsAHeadWithThatId()
    {
        await using var server = new MultiHeadServer((4, 2));
        var added = new List<DesktopHeadRequest>();
        server.Desktop.HotplugHandler = (add, remove) =>
        {
            added.AddRange(add);
            foreach (DesktopHeadRequest r in add)
            {
                server.AddHeadWithId(r);
            }

            return remove.Count == 0;
        };
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        UpdateRect reply = await RequestAsync(client, UpdateReader.SetDesktopSize(8, 2, (1, 0, 0, 4, 2), (77, 4, 0, 4, 2)), 4, 2);
        Assert.Equal((1, 0, 8, 2), (reply.X, reply.Y, reply.Width, reply.Height));
        Assert.Equal([(1u, 0, 0, 4, 2, 0u), (77u, 4, 0, 4, 2, 0u)], reply.Screens());
        Assert.Equal([new DesktopHeadRequest(77, new PixelRect(4, 0, 4, 2))], added);
    }

    [Fact]
    public async Task SetDesktopSize_HostThrows_AnswersOutOfResourcesAndSessionLives()
    {
        await using var server = new MultiHeadServer((4, 2));
        server.Desktop.HotplugHandler = (_, _) => throw new InvalidOperationException("boom");
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        UpdateRect reply = await RequestAsync(client, UpdateReader.SetDesktopSize(8, 2, (1, 0, 0, 4, 2), (5, 4, 0, 4, 2)), 4, 2);
        Assert.Equal((1, 2), (reply.X, reply.Y));
        await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 4, 2));
        Assert.Equal(EncodingType.Raw, (await client.ReadUpdateAsync())[0].Encoding);
    }

    [Fact]
    public async Task SetDesktopSize_ByteByByte_IsParsedAndAnswered()
    {
        await using var server = new MultiHeadServer((4, 2));
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        await client.SendByteByByteAsync(UpdateReader.SetDesktopSize(6, 3, (1, 0, 0, 6, 3)));
        await client.SendAsync(ClientMessages.UpdateRequest(true, 0, 0, 4, 2));
        List<UpdateRect> update = await client.ReadUpdateAsync();
        Assert.Equal((1, 0, 6, 3), (update[0].X, update[0].Y, update[0].Width, update[0].Height));
        Assert.Equal([new DesktopHeadRequest(1, new PixelRect(0, 0, 6, 3))], server.Hosts[0].Requests);
    }

    [Fact]
    public async Task SetDesktopSize_ClientWithoutExtendedDesktopSize_IsAProtocolError()
    {
        await using var server = new MultiHeadServer((4, 2));
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.DesktopSize);
        await client.SendAsync(UpdateReader.SetDesktopSize(6, 3, (1, 0, 0, 6, 3)));
        Assert.Empty(await client.ReadToEndAsync());
        Assert.Empty(server.Hosts[0].Requests);
    }

    [Fact]
    public async Task SetDesktopSize_255Screens_IsJudgedNotCrashing()
    {
        await using var server = new MultiHeadServer((4, 2));
        await using TestClient client = server.Connect();
        await client.StartAsync(EncodingType.Raw, EncodingType.ExtendedDesktopSize);
        var screens = Enumerable.Range(0, 255).Select(i => ((uint)i + 1, i * 64, 0, 64, 64)).ToArray();
        UpdateRect reply = await RequestAsync(client, UpdateReader.SetDesktopSize(16320, 64, screens), 4, 2);
        Assert.Equal((1, 2), (reply.X, reply.Y)); // 254 new screens and no hotplug
        Assert.Single(server.Desktop.Layout.Heads);
    }
}
