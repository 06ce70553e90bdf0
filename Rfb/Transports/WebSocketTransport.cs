using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Rfb.Logging;

namespace Rfb.Transports;

/// <summary>
/// The WebSocket endpoint: an HTTP/1.1 listener (optionally over TLS) that serves static files
/// and upgrades requests on the configured paths to WebSockets (RFC 6455), each of which runs as
/// a session of the server, exactly like a TCP client.
/// </summary>
internal sealed class WebSocketTransport : IDisposable
{
    private readonly RfbServer _server;
    private readonly WebSocketTransportOptions _options;
    private readonly SocketListener _listener;
    private readonly ILogger _logger;
    private int _httpConnections;

    public WebSocketTransport(RfbServer server, IPEndPoint endpoint, WebSocketTransportOptions options, ILogger logger)
    {
        _server = server;
        _options = options;
        _logger = logger;
        _listener = new SocketListener(endpoint, logger, OnAccepted);
        LocalEndPoint = _listener.LocalEndPoint;
        WebSocketLog.Listening(_logger, Secure ? "wss" : "ws", LocalEndPoint);
        _listener.Start();
    }

    public IPEndPoint LocalEndPoint { get; }

    private bool Secure => _options.Certificate is not null;

    public void Dispose() => _listener.Dispose();

    private void OnAccepted(Socket client) => _ = ServeConnectionAsync(client);

    private async Task ServeConnectionAsync(Socket client)
    {
        client.NoDelay = true;
        var remoteEndPoint = (IPEndPoint)client.RemoteEndPoint!;
        IPAddress address = remoteEndPoint.Address.IsIPv4MappedToIPv6 ? remoteEndPoint.Address.MapToIPv4() : remoteEndPoint.Address;
        string remote = remoteEndPoint.ToString();
        Stream stream = new NetworkStream(client, ownsSocket: true);
        int open = Interlocked.Increment(ref _httpConnections);
        bool counted = true;
        try
        {
            if (open > _options.MaxHttpConnections)
            {
                WebSocketLog.TooManyConnections(_logger, remote, open - 1, _options.MaxHttpConnections);
                return;
            }

            if (_options.Certificate is not null)
            {
                Stream? secured = await AuthenticateAsync(stream, remote).ConfigureAwait(false);
                if (secured is null)
                {
                    return;
                }

                stream = secured;
            }

            PipeReader reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
            try
            {
                while (true)
                {
                    (HttpRequest? request, long early) = await ReadRequestAsync(reader, stream, remote).ConfigureAwait(false);
                    if (request is null)
                    {
                        return;
                    }

                    if (WebSocketHandshake.IsUpgrade(request))
                    {
                        WebSocketPipe? pipe = await UpgradeAsync(request, early, stream, remote).ConfigureAwait(false);
                        if (pipe is null)
                        {
                            return;
                        }

                        Interlocked.Decrement(ref _httpConnections);
                        counted = false;
                        _ = _server.RunSessionAsync(pipe, remote, address);
                        await pipe.RunAsync().ConfigureAwait(false);
                        return;
                    }

                    if (!await ServeFileAsync(request, stream, remote).ConfigureAwait(false) || !request.KeepAlive)
                    {
                        return;
                    }
                }
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            WebSocketLog.ConnectionFailed(_logger, remote, ex.Message);
        }
        finally
        {
            if (counted)
            {
                Interlocked.Decrement(ref _httpConnections);
            }

            await LingerAsync(client).ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Closes gracefully: stops sending, then reads and drops what the peer still sends for a
    /// moment, so that closing with unread bytes does not reset the connection and destroy a
    /// close frame or HTTP error already sent (as Kestrel and other servers do).
    /// </summary>
    private static async Task LingerAsync(Socket client)
    {
        const int MaxBytes = 64 * 1024;
        try
        {
            if (!client.Connected)
            {
                return;
            }

            client.Shutdown(SocketShutdown.Send);
            byte[] drain = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                int total = 0;
                while (total < MaxBytes)
                {
                    int read = await client.ReceiveAsync(drain, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(drain);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone or slow to close; the socket is disposed next either way.
        }
    }

    private async Task<Stream?> AuthenticateAsync(Stream stream, string remote)
    {
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_listener.Stopping);
        deadline.CancelAfter(_options.RequestLimits.RequestHeadTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _options.Certificate }, deadline.Token).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            WebSocketLog.TlsFailed(_logger, remote, ex is OperationCanceledException ? "timed out" : ex.Message);
            await ssl.DisposeAsync().ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Reads one request head within the time limit; null when the client closed (or was refused,
    /// with a response). <c>Early</c> counts bytes already received after the head.
    /// </summary>
    private async Task<(HttpRequest? Request, long Early)> ReadRequestAsync(PipeReader reader, Stream stream, string remote)
    {
        HttpRequestLimits limits = _options.RequestLimits;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_listener.Stopping);
        deadline.CancelAfter(limits.RequestHeadTimeout);
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(deadline.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (HttpRequestReader.TryRead(ref buffer, limits, out HttpRequest? request))
                {
                    // What follows the head stays unexamined, for the next request.
                    reader.AdvanceTo(buffer.Start);
                    return (request, buffer.Length);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new BadHttpRequestException(400, $"the connection closed inside a request head ({buffer.Length} bytes)");
                    }

                    return (null, 0);
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            await RefuseAsync(stream, remote, "?", "?", ex.StatusCode, ex.Message).ConfigureAwait(false);
            return (null, 0);
        }
        catch (OperationCanceledException) when (!_listener.Stopping.IsCancellationRequested)
        {
            await RefuseAsync(stream, remote, "?", "?", 408, $"no complete request head within {limits.RequestHeadTimeout.TotalSeconds:0.#} s").ConfigureAwait(false);
            return (null, 0);
        }
    }

    private async Task<WebSocketPipe?> UpgradeAsync(HttpRequest request, long early, Stream stream, string remote)
    {
        string? subProtocol;
        string accept;
        try
        {
            (subProtocol, accept) = WebSocketHandshake.Accept(request, _options, Secure);

            // RFC 6455 §4.1: the client sends nothing more until it has the server's handshake,
            // and bytes already taken into the HTTP buffer could not reach the WebSocket.
            if (early > 0)
            {
                throw new BadHttpRequestException(400, $"{early} bytes were sent before the handshake's response");
            }
        }
        catch (BadHttpRequestException ex)
        {
            await RefuseAsync(stream, remote, request.Method, request.Target, ex.StatusCode, ex.Message).ConfigureAwait(false);
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>
        {
            new("Upgrade", "websocket"),
            new("Connection", "Upgrade"),
            new("Sec-WebSocket-Accept", accept),
        };
        if (subProtocol is not null)
        {
            headers.Add(new("Sec-WebSocket-Protocol", subProtocol));
        }

        await stream.WriteAsync(HttpResponseWriter.Head(101, headers), _listener.Stopping).ConfigureAwait(false);
        await stream.FlushAsync(_listener.Stopping).ConfigureAwait(false);
        WebSocketLog.Upgraded(_logger, remote, request.Path, subProtocol ?? "none");
        WebSocket socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = subProtocol,
            KeepAliveInterval = _options.KeepAliveInterval,
            KeepAliveTimeout = _options.KeepAliveInterval > TimeSpan.Zero ? _options.KeepAliveTimeout : Timeout.InfiniteTimeSpan,
        });
        return new WebSocketPipe(socket, _options.MaxMessageSize, _options.CloseTimeout);
    }

    /// <summary>Answers a request that is not an upgrade; false when the connection must close.</summary>
    private async Task<bool> ServeFileAsync(HttpRequest request, Stream stream, string remote)
    {
        int status;
        string reason;
        if (request.Method is not ("GET" or "HEAD"))
        {
            (status, reason) = (405, $"{request.Method} is not served");
        }
        else if (request["Transfer-Encoding"] is not null || (request["Content-Length"] is { } length && length != "0"))
        {
            (status, reason) = (400, "a request body is not accepted");
        }
        else if (_options.StaticFilesRoot is { } root && StaticFiles.Resolve(root, request.Path) is { } file)
        {
            await SendFileAsync(request, stream, file).ConfigureAwait(false);
            WebSocketLog.Served(_logger, remote, request.Method, request.Target, 200);
            return true;
        }
        else if (_options.Paths.Contains(request.Path))
        {
            (status, reason) = (426, "this path only accepts WebSocket upgrades");
        }
        else
        {
            (status, reason) = (404, "no such file");
        }

        await RefuseAsync(stream, remote, request.Method, request.Target, status, reason).ConfigureAwait(false);
        return false;
    }

    private async Task SendFileAsync(HttpRequest request, Stream stream, string file)
    {
        await using var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("Content-Type", StaticFiles.ContentType(file)),
            new("Content-Length", content.Length.ToString(CultureInfo.InvariantCulture)),
            new("Cache-Control", "no-cache"),
            new("X-Content-Type-Options", "nosniff"),
        };
        if (!request.KeepAlive)
        {
            headers.Add(new("Connection", "close"));
        }

        await stream.WriteAsync(HttpResponseWriter.Head(200, headers), _listener.Stopping).ConfigureAwait(false);
        if (request.Method == "GET")
        {
            await content.CopyToAsync(stream, _listener.Stopping).ConfigureAwait(false);
        }

        await stream.FlushAsync(_listener.Stopping).ConfigureAwait(false);
    }

    private async Task RefuseAsync(Stream stream, string remote, string method, string target, int status, string reason)
    {
        WebSocketLog.Refused(_logger, remote, method, target, status, reason);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_listener.Stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        await stream.WriteAsync(HttpResponseWriter.Error(status, reason), timeout.Token).ConfigureAwait(false);
        await stream.FlushAsync(timeout.Token).ConfigureAwait(false);
    }
}
