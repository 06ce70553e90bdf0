using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Rfb.Logging;

namespace Rfb.Transports;

/// <summary>
/// A TCP listener on one endpoint. Each accepted socket gets TCP_NODELAY and a pair of pipes
/// over its stream, and runs as a session of the server. IPv6 "any" listens dual-stack. With a
/// certificate, every connection is TLS first (the whole RFB stream inside, as through stunnel).
/// </summary>
internal sealed class TcpTransport : IDisposable
{
    private readonly RfbServer _server;
    private readonly SocketListener _listener;
    private readonly ILogger _logger;
    private readonly X509Certificate2? _certificate;
    private readonly TimeSpan _tlsTimeout;

    public TcpTransport(RfbServer server, IPEndPoint endpoint, ILogger logger, X509Certificate2? certificate = null, TimeSpan tlsTimeout = default)
    {
        _server = server;
        _logger = logger;
        _certificate = certificate;
        _tlsTimeout = tlsTimeout > TimeSpan.Zero ? tlsTimeout : TimeSpan.FromSeconds(10);
        _listener = new SocketListener(endpoint, logger, OnAccepted);
        LocalEndPoint = _listener.LocalEndPoint;
        _listener.Start();
    }

    public IPEndPoint LocalEndPoint { get; }

    public void Dispose() => _listener.Dispose();

    private void OnAccepted(Socket client)
    {
        client.NoDelay = true;
        var remote = (IPEndPoint)client.RemoteEndPoint!;
        IPAddress address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var stream = new NetworkStream(client, ownsSocket: true);
        if (_certificate is null)
        {
            _ = _server.RunSessionAsync(CreatePipe(stream), remote.ToString(), address);
        }
        else
        {
            _ = RunTlsSessionAsync(stream, remote.ToString(), address);
        }
    }

    private static DuplexPipe CreatePipe(Stream stream) => new(
        PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024)),
        PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024)));

    private async Task RunTlsSessionAsync(NetworkStream stream, string remote, IPAddress address)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(_listener.Stopping))
        {
            deadline.CancelAfter(_tlsTimeout);
            try
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
            {
                WebSocketLog.TlsFailed(_logger, remote, ex is OperationCanceledException ? "timed out" : ex.Message);
                await ssl.DisposeAsync().ConfigureAwait(false);
                return;
            }
        }

        await _server.RunSessionAsync(CreatePipe(ssl), remote, address).ConfigureAwait(false);
    }
}
