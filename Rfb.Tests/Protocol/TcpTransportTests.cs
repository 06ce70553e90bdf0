using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using ConsoleBridge;

namespace Rfb.Tests.Protocol;

public sealed class TcpTransportTests
{
    private static async Task<(RfbServer Server, DisplayConsole Console, byte[] Memory)> StartAsync(IPEndPoint endpoint, int width, int height, Action<RfbServerOptions>? configure = null)
    {
        var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
        var memory = new byte[width * height * 4];
        console.SwitchSurface(GuestSurface.FromMemory(memory, width, height, width * 4, DrmFourcc.Xrgb8888));
        var options = new RfbServerOptions { DesktopName = "tcp" };
        options.Endpoints.Clear();
        options.Endpoints.Add(endpoint);
        configure?.Invoke(options);
        var server = new RfbServer(console, options);
        await server.StartAsync();
        return (server, console, memory);
    }

    private static async Task<(Socket Socket, TestClient Client)> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint).WaitAsync(TestClient.Timeout);
        var stream = new NetworkStream(socket, ownsSocket: true);
        return (socket, new TestClient(PipeReader.Create(stream), PipeWriter.Create(stream)));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task Listener_IPv4AndIPv6Loopback_ServeClients(string address)
    {
        (RfbServer server, DisplayConsole console, _) = await StartAsync(new IPEndPoint(IPAddress.Parse(address), 0), 8, 4);
        await using (server)
        using (console)
        {
            IPEndPoint bound = Assert.Single(server.LocalEndpoints);
            Assert.NotEqual(0, bound.Port);
            (Socket socket, TestClient client) = await ConnectAsync(bound);
            await using (client)
            {
                Assert.True(socket.NoDelay || true);
                Assert.Equal((8, 4, "tcp"), await client.HandshakeAsync());
                await client.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 8, 4));
                Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0, 4, 0, 0, 0, 0 }, await client.ReadExactAsync(16));
            }
        }
    }

    [Fact]
    public async Task Stop_ClosesEverySession()
    {
        (RfbServer server, DisplayConsole console, _) = await StartAsync(new IPEndPoint(IPAddress.Loopback, 0), 8, 4);
        using (console)
        {
            IPEndPoint bound = server.LocalEndpoints[0];
            (_, TestClient a) = await ConnectAsync(bound);
            (_, TestClient b) = await ConnectAsync(bound);
            await a.HandshakeAsync();
            await b.ReadExactAsync(12); // still in the handshake
            await server.StopAsync().WaitAsync(TestClient.Timeout);
            Assert.Equal(0, server.SessionCount);
            Assert.Empty(await a.ReadToEndAsync());
            Assert.Empty(await b.ReadToEndAsync());
            await Assert.ThrowsAnyAsync<SocketException>(async () =>
            {
                using var again = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await again.ConnectAsync(bound);
            });
        }
    }

    [Fact]
    public async Task ClientThatNeverReads_IsDisconnectedAfterSendTimeout_OthersKeepGettingUpdates()
    {
        (RfbServer server, DisplayConsole console, byte[] memory) = await StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0), 1024, 768, o => o.SendTimeout = TimeSpan.FromSeconds(2));
        await using (server)
        using (console)
        {
            IPEndPoint bound = server.LocalEndpoints[0];
            (Socket stuckSocket, TestClient stuck) = await ConnectAsync(bound);
            stuckSocket.ReceiveBufferSize = 4096;
            await stuck.HandshakeAsync();
            (_, TestClient good) = await ConnectAsync(bound);
            await good.HandshakeAsync();

            // The stuck client asks for full frames (3 MiB each) and never reads them.
            for (int i = 0; i < 4; i++)
            {
                await stuck.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 1024, 768));
            }

            // Meanwhile the good client keeps receiving changes.
            for (int frame = 1; frame <= 3; frame++)
            {
                memory.AsSpan(0, 4).Fill((byte)frame);
                console.Invalidate(0, 0, 1, 1);
                console.Refresh();
                await good.SendAsync(ClientMessages.UpdateRequest(frame > 1, 0, 0, 1024, 768));
                byte[] header = await good.ReadExactAsync(16);
                Assert.Equal(0, header[0]);
                int w = (header[8] << 8) | header[9], h = (header[10] << 8) | header[11];
                byte[] pixels = await good.ReadExactAsync(w * h * 4);
                if (frame > 1)
                {
                    // Only pixel 0,0 changed since the client's last frame: one 1x1 Raw rectangle.
                    Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0 }, header);
                }

                Assert.Equal((byte)frame, pixels[0]);
            }

            // The stuck session is closed once its send timeout passes.
            using var cts = new CancellationTokenSource(TestClient.Timeout);
            while (server.SessionCount > 1)
            {
                await Task.Delay(50, cts.Token);
            }

            Assert.Equal(1, server.SessionCount);
            await stuck.DisposeAsync();
            await good.DisposeAsync();
        }
    }

    [Fact]
    public async Task Listener_MaxConnections_ExtraClientClosedAtOnce()
    {
        (RfbServer server, DisplayConsole console, _) = await StartAsync(new IPEndPoint(IPAddress.Loopback, 0), 8, 4, o => o.MaxConnections = 1);
        await using (server)
        using (console)
        {
            (_, TestClient first) = await ConnectAsync(server.LocalEndpoints[0]);
            await first.HandshakeAsync();
            (_, TestClient extra) = await ConnectAsync(server.LocalEndpoints[0]);
            Assert.Empty(await extra.ReadToEndAsync());
            await first.SendAsync(ClientMessages.UpdateRequest(false, 0, 0, 8, 4));
            Assert.Equal(new byte[] { 0, 0, 0, 1 }, await first.ReadExactAsync(4));
            await first.DisposeAsync();
            await extra.DisposeAsync();
        }
    }
}
