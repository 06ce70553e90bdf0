using System.Net;
using Microsoft.Extensions.Logging;

namespace Rfb.Transports;

/// <summary>Log messages of the WebSocket endpoint and of TLS.</summary>
internal static partial class WebSocketLog
{
    [LoggerMessage(101, LogLevel.Information, "Listening for WebSocket (noVNC) clients on {Scheme}://{EndPoint}")]
    public static partial void Listening(ILogger logger, string scheme, EndPoint endPoint);

    [LoggerMessage(102, LogLevel.Information, "HTTP {Remote}: {Method} {Target} refused with {Status}: {Reason}")]
    public static partial void Refused(ILogger logger, string remote, string method, string target, int status, string reason);

    [LoggerMessage(103, LogLevel.Debug, "HTTP {Remote}: {Method} {Target} -> {Status}")]
    public static partial void Served(ILogger logger, string remote, string method, string target, int status);

    [LoggerMessage(104, LogLevel.Information, "HTTP {Remote}: WebSocket upgrade on {Path} (subprotocol {SubProtocol})")]
    public static partial void Upgraded(ILogger logger, string remote, string path, string subProtocol);

    [LoggerMessage(105, LogLevel.Information, "{Remote}: connection ended before a request: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, string remote, string reason);

    [LoggerMessage(106, LogLevel.Warning, "Refusing {Remote}: {Count} HTTP connections open, the limit is {Limit}")]
    public static partial void TooManyConnections(ILogger logger, string remote, int count, int limit);

    [LoggerMessage(107, LogLevel.Warning, "{Remote}: TLS handshake failed: {Reason}")]
    public static partial void TlsFailed(ILogger logger, string remote, string reason);
}
