using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Rfb.Tests.Protocol;

namespace Rfb.Tests.WebSockets;

public sealed class WebSocketTransportTests
{
    // The first binary message of every session: the server's ProtocolVersion.
    private static readonly byte[] s_serverVersion = "RFB 003.008\n"u8.ToArray();

    [Fact]
    public async Task Upgrade_BclClientOfferingBinary_EchoesBinaryAndRunsASession()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        (ClientWebSocket socket, TestClient client) = await server.ConnectAsync(o => o.AddSubProtocol("binary"));
        await using (client)
        {
            Assert.Equal("binary", socket.SubProtocol);
            Assert.Equal((8, 4, "ws"), await client.HandshakeAsync());
            await server.AssertFullUpdateAsync(client, 0x00123456);
            await client.SendAsync(ClientMessages.QemuExtendedKey(true, 0x61, 0x1E));
            await client.SendAsync(ClientMessages.PointerEvent(1, 5, 3));
            Assert.Equal(new[] { "key 61 1e down", "pointer 5,3 1" }, await server.Host.WaitForAsync(2));
        }
    }

    [Fact]
    public async Task Upgrade_NoSubprotocol_AnswersWithoutOne()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        (ClientWebSocket socket, TestClient client) = await server.ConnectAsync();
        await using (client)
        {
            Assert.Null(socket.SubProtocol);
            Assert.Equal((8, 4, "ws"), await client.HandshakeAsync());
        }
    }

    [Fact]
    public async Task ClientCloses_SessionEnds_ServerAnswersTheClose()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        (ClientWebSocket socket, TestClient client) = await server.ConnectAsync();
        await client.HandshakeAsync();
        Assert.Equal(1, server.Server.SessionCount);
        using var timeout = new CancellationTokenSource(TestClient.Timeout);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        await server.WaitForSessionCountAsync(0);
        ValueWebSocketReceiveResult result = await socket.ReceiveAsync(new byte[64].AsMemory(), timeout.Token);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task ServerStops_ClientGetsNormalClosure()
    {
        WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
        await raw.UpgradeAsync(server.WebSocketEndpoint.Port);
        Assert.Equal(s_serverVersion, (await raw.ReadFrameAsync()).Payload);
        await server.DisposeAsync();
        Assert.Equal((1000, string.Empty), await raw.ReadCloseAsync());
        await raw.SendAsync(RawWebSocketClient.Frame(0x88, new byte[] { 0x03, 0xE8 }));
        Assert.Equal(string.Empty, await raw.ReadToEndAsync());
    }

    [Fact]
    public async Task FragmentedMessage_IsReassembledIntoTheStream()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
        await raw.UpgradeAsync(server.WebSocketEndpoint.Port);
        Assert.Equal(s_serverVersion, (await raw.ReadFrameAsync()).Payload);

        // "RFB 003.008\n" in three fragments (binary, continuation, continuation+FIN) with a ping between.
        await raw.SendAsync(RawWebSocketClient.Frame(0x02, "RFB "u8));
        await raw.SendAsync(RawWebSocketClient.Frame(0x89, "hi"u8));
        await raw.SendAsync(RawWebSocketClient.Frame(0x00, "003."u8));
        await raw.SendAsync(RawWebSocketClient.Frame(0x80, "008\n"u8));
        (bool fin, int opcode, byte[] payload) = await raw.ReadFrameAsync();
        Assert.Equal((true, 0xA, "hi"), (fin, opcode, Encoding.ASCII.GetString(payload)));
        (fin, opcode, payload) = await raw.ReadFrameAsync();
        Assert.Equal((true, 2, "0101"), (fin, opcode, Convert.ToHexString(payload)));
    }

    [Fact]
    public async Task FragmentedMessage_ReachesTheSessionOnlyWhenWhole()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
        await raw.UpgradeAsync(server.WebSocketEndpoint.Port);
        Assert.Equal(s_serverVersion, (await raw.ReadFrameAsync()).Payload);

        // The whole version line, but in a message not yet ended: the session must not see it,
        // so no security types come back until the last (empty) fragment arrives.
        await raw.SendAsync(RawWebSocketClient.Frame(0x02, "RFB 003.008\n"u8));
        Task<(bool Fin, int Opcode, byte[] Payload)> reply = raw.ReadFrameAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(reply.IsCompleted, "the server answered a message that had not ended");

        await raw.SendAsync(RawWebSocketClient.Frame(0x80, ReadOnlySpan<byte>.Empty));
        (bool fin, int opcode, byte[] payload) = await reply.WaitAsync(TestClient.Timeout);
        Assert.Equal((true, 2, "0101"), (fin, opcode, Convert.ToHexString(payload)));
    }

    [Theory]
    [InlineData("unmasked", 1002)]
    [InlineData("reserved opcode", 1002)]
    [InlineData("reserved bit", 1002)]
    [InlineData("oversized", 1009)]
    [InlineData("oversized in fragments", 1009)]
    [InlineData("text", 1003)]
    [InlineData("control frame over 125 bytes", 1002)]
    public async Task MalformedFrame_ClosedWithStatus_OtherSessionsUnaffected(string kind, int status)
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync(configure: o => o.WebSocket.MaxMessageSize = 1024);
        (_, TestClient good) = await server.ConnectAsync();
        await using (good)
        {
            await good.HandshakeAsync();
            await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
            await raw.UpgradeAsync(server.WebSocketEndpoint.Port);
            Assert.Equal(s_serverVersion, (await raw.ReadFrameAsync()).Payload);
            await server.WaitForSessionCountAsync(2);

            byte[] frame = kind switch
            {
                "unmasked" => RawWebSocketClient.Frame(0x82, s_serverVersion, masked: false),
                "reserved opcode" => RawWebSocketClient.Frame(0x83, s_serverVersion),
                "reserved bit" => RawWebSocketClient.Frame(0xC2, s_serverVersion),
                "oversized" => RawWebSocketClient.Frame(0x82, new byte[1025]),
                "oversized in fragments" => [.. RawWebSocketClient.Frame(0x02, new byte[600]), .. RawWebSocketClient.Frame(0x80, new byte[600])],
                "text" => RawWebSocketClient.Frame(0x81, "RFB 003.008\n"u8),
                "control frame over 125 bytes" => RawWebSocketClient.Frame(0x89, new byte[126]),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
            await raw.SendAsync(frame);
            Assert.Equal(status, (await raw.ReadCloseAsync()).Status);
            try
            {
                await raw.SendAsync(RawWebSocketClient.Frame(0x88, new byte[] { (byte)(status >> 8), (byte)status }));
                await raw.ReadToEndAsync();
            }
            catch (IOException)
            {
                // After a protocol error the server may drop the connection without waiting for
                // the client's close reply; RFC 6455 §7.1.7 lets it fail the connection.
            }
            await server.WaitForSessionCountAsync(1);

            await server.AssertFullUpdateAsync(good, 0x00ABCDEF);
        }
    }

    [Fact]
    public async Task MessageAtTheLimit_IsAccepted()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync(configure: o => o.WebSocket.MaxMessageSize = 12);
        await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
        await raw.UpgradeAsync(server.WebSocketEndpoint.Port);
        Assert.Equal(s_serverVersion, (await raw.ReadFrameAsync()).Payload);
        await raw.SendAsync(RawWebSocketClient.Frame(0x82, s_serverVersion));
        Assert.Equal(new byte[] { 1, 1 }, (await raw.ReadFrameAsync()).Payload);
    }

    [Fact]
    public async Task TruncatedFrame_ConnectionClosed_OtherSessionsUnaffected()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        (_, TestClient good) = await server.ConnectAsync();
        await using (good)
        {
            await good.HandshakeAsync();
            await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
            await raw.UpgradeAsync(server.WebSocketEndpoint.Port);
            Assert.Equal(s_serverVersion, (await raw.ReadFrameAsync()).Payload);
            byte[] frame = RawWebSocketClient.Frame(0x82, new byte[100]);
            await raw.SendAsync(frame[..20]);
            raw.ShutdownSend();

            // No close frame can follow a frame cut in half: the server only closes the TCP connection.
            Assert.Equal(string.Empty, await raw.ReadToEndAsync());
            await server.WaitForSessionCountAsync(1);
            await server.AssertFullUpdateAsync(good, 0x00010203);
        }
    }

    [Theory]
    [InlineData("GET /websockify HTTP/1.1\r\nHost: h\r\n\r\n", 426)]
    [InlineData("GET /nothing HTTP/1.1\r\nHost: h\r\n\r\n", 404)]
    [InlineData("DELETE /websockify HTTP/1.1\r\nHost: h\r\n\r\n", 405)]
    [InlineData("GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505)]
    [InlineData("garbage\r\n\r\n", 400)]
    [InlineData("GET /websockify HTTP/1.1\r\nHost: 127.0.0.1:1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n\r\n", 403)]
    [InlineData("GET /websockify HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 7\r\n\r\n", 426)]
    public async Task BadRequest_AnsweredWithStatusAndClosed(string request, int status)
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
        await raw.SendAsync(request);
        string response = await raw.ReadToEndAsync();
        Assert.StartsWith($"HTTP/1.1 {status} ", response, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", response, StringComparison.Ordinal);
        Assert.Equal(0, server.Server.SessionCount);
    }

    [Fact]
    public async Task OversizedHeaders_Refused431()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
        var request = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 65; i++)
        {
            request.Append("X-Filler-").Append(i).Append(": x\r\n");
        }

        await raw.SendAsync(request.Append("\r\n").ToString());
        Assert.StartsWith("HTTP/1.1 431 ", await raw.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndlessRequestLine_Refused414WithoutWaitingForItsEnd()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
        await raw.SendAsync("GET /" + new string('a', 9000));
        Assert.StartsWith("HTTP/1.1 414 ", await raw.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowlorisUpgrade_Answered408AtTheDeadline_OtherSessionsUnaffected()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync(configure: o => o.WebSocket.RequestLimits.RequestHeadTimeout = TimeSpan.FromSeconds(1));
        (_, TestClient good) = await server.ConnectAsync();
        await using (good)
        {
            await good.HandshakeAsync();
            await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
            string request = RawWebSocketClient.UpgradeRequest(server.WebSocketEndpoint.Port);
            Task<string> response = raw.ReadToEndAsync();
            int sent = 0;
            try
            {
                // One byte every 100 ms: the whole head would take over 15 s.
                for (; sent < request.Length && !response.IsCompleted; sent++)
                {
                    await raw.SendAsync(request.Substring(sent, 1));
                    await Task.Delay(100);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                // The server closed while the client was still trickling.
            }

            Assert.StartsWith("HTTP/1.1 408 ", await response, StringComparison.Ordinal);
            Assert.InRange(sent, 5, 40);
            await server.AssertFullUpdateAsync(good, 0x00FF8000);
        }
    }

    [Fact]
    public async Task BytesSentBeforeTheHandshakeResponse_Refused400()
    {
        await using WebSocketTestServer server = await WebSocketTestServer.StartAsync();
        await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);
        await raw.SendAsync([.. Encoding.Latin1.GetBytes(RawWebSocketClient.UpgradeRequest(server.WebSocketEndpoint.Port)), .. RawWebSocketClient.Frame(0x82, "RFB 003.008\n"u8)]);
        Assert.StartsWith("HTTP/1.1 400 ", await raw.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaticFiles_ServedWithKeepAlive_TraversalRefused()
    {
        string root = Directory.CreateTempSubdirectory("rfb-ws-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "index.html"), "<p>index</p>");
            Directory.CreateDirectory(Path.Combine(root, "app"));
            File.WriteAllText(Path.Combine(root, "app", "a b.js"), "let a = 1;");
            File.WriteAllText(Path.Combine(Path.GetDirectoryName(root)!, "outside-" + Path.GetFileName(root)), "secret");
            await using WebSocketTestServer server = await WebSocketTestServer.StartAsync(configure: o => o.WebSocket.StaticFilesRoot = root);
            await using RawWebSocketClient raw = await RawWebSocketClient.ConnectAsync(server.WebSocketEndpoint);

            await raw.SendAsync("GET /app/a%20b.js?x=1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD / HTTP/1.1\r\nHost: h\r\n\r\n");
            string first = await raw.ReadHeadAsync();
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", first, StringComparison.Ordinal);
            Assert.Contains("\r\nContent-Type: text/javascript; charset=utf-8\r\n", first, StringComparison.Ordinal);
            Assert.Contains("\r\nContent-Length: 10\r\n", first, StringComparison.Ordinal);
            string second = await raw.ReadHeadAsync();
            Assert.StartsWith("let a = 1;HTTP/1.1 200 OK\r\n", second, StringComparison.Ordinal);
            Assert.Contains("\r\nContent-Length: 12\r\n", second, StringComparison.Ordinal);

            await raw.SendAsync($"GET /..%2Foutside-{Path.GetFileName(root)} HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 404 ", await raw.ReadToEndAsync(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(Path.Combine(Path.GetDirectoryName(root)!, "outside-" + Path.GetFileName(root)));
            Directory.Delete(root, recursive: true);
        }
    }
}
