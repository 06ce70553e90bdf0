using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Rfb.Logging;

namespace Rfb.Transports;

/// <summary>
/// A listening TCP socket on one endpoint that hands every accepted socket to a callback until
/// disposed. IPv6 "any" listens dual-stack. Shared by the VNC and WebSocket transports.
/// </summary>
internal sealed class SocketListener : IDisposable
{
    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly Action<Socket> _accepted;
    private readonly CancellationTokenSource _stop = new();

    public SocketListener(IPEndPoint endpoint, ILogger logger, Action<Socket> accepted)
    {
        _logger = logger;
        _accepted = accepted;
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                _socket.DualMode = true;
            }

            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.Bind(endpoint);
            _socket.Listen(64);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>A token that is cancelled when the listener is disposed.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Starts accepting; call once, after the owner is ready for callbacks.</summary>
    public void Start() => _ = AcceptLoopAsync();

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                RfbLog.AcceptFailed(_logger, LocalEndPoint, ex);
                continue;
            }

            _accepted(client);
        }
    }
}
