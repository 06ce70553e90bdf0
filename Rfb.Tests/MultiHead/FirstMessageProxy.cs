using System.Net;
using System.Net.Sockets;

namespace Rfb.Tests.MultiHead;

/// <summary>
/// A loopback TCP relay between one real client and a server that runs <see cref="BeforeFirstMessage"/>
/// once the client has finished an RFB 3.8 handshake without security (version, security type,
/// ClientInit: 14 bytes) and before its first message reaches the server. A test uses it to change
/// the desktop between ServerInit and the first update, which a client that only takes snapshots
/// would otherwise never see.
/// </summary>
internal sealed class FirstMessageProxy : IAsyncDisposable
{
    private const int HandshakeBytes = 12 + 1 + 1;

    private readonly TcpListener _listener;
    private readonly IPEndPoint _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _relay;

    public FirstMessageProxy(int port, IPEndPoint server, Action beforeFirstMessage)
    {
        _server = server;
        BeforeFirstMessage = beforeFirstMessage;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _relay = RelayAsync(_stop.Token);
    }

    public Action BeforeFirstMessage { get; }

    /// <summary>Whether <see cref="BeforeFirstMessage"/> ran.</summary>
    public bool Ran { get; private set; }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _relay.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(CancellationToken token)
    {
        using Socket client = await _listener.AcceptSocketAsync(token);
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await server.ConnectAsync(_server, token);
        using var clientStream = new NetworkStream(client);
        using var serverStream = new NetworkStream(server);
        Task down = CopyAsync(serverStream, clientStream, null, token);
        Task up = CopyAsync(clientStream, serverStream, this, token);
        await Task.WhenAny(down, up);
    }

    private static async Task CopyAsync(Stream from, Stream to, FirstMessageProxy? watcher, CancellationToken token)
    {
        var buffer = new byte[65536];
        long total = 0;
        while (true)
        {
            int n = await from.ReadAsync(buffer, token);
            if (n == 0)
            {
                to.Close();
                return;
            }

            int start = 0;
            if (watcher is not null && !watcher.Ran && total + n > HandshakeBytes)
            {
                // Forward the rest of the handshake, then change the desktop, then the message.
                start = (int)(HandshakeBytes - total);
                await to.WriteAsync(buffer.AsMemory(0, start), token);
                await to.FlushAsync(token);
                watcher.BeforeFirstMessage();
                watcher.Ran = true;
            }

            total += n;
            await to.WriteAsync(buffer.AsMemory(start, n - start), token);
            await to.FlushAsync(token);
        }
    }
}
