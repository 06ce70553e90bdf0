using System.Net;
using Microsoft.Extensions.Logging;
using Rfb.Sessions;

namespace Rfb.Logging;

/// <summary>The server's log messages.</summary>
internal static partial class RfbLog
{
    [LoggerMessage(1, LogLevel.Information, "Listening for VNC clients on {EndPoint}")]
    public static partial void Listening(ILogger logger, EndPoint endPoint);

    [LoggerMessage(2, LogLevel.Information, "Client {Remote} connected (session {SessionId})")]
    public static partial void ClientConnected(ILogger logger, string remote, long sessionId);

    [LoggerMessage(3, LogLevel.Information, "Session {SessionId} ({Remote}) ended: {Reason}{Detail}")]
    public static partial void SessionEnded(ILogger logger, long sessionId, string remote, SessionEndReason reason, string detail);

    [LoggerMessage(4, LogLevel.Information, "Session {SessionId} speaks RFB {Version}")]
    public static partial void VersionNegotiated(ILogger logger, long sessionId, string version);

    [LoggerMessage(5, LogLevel.Warning, "Session {SessionId}: client sent unknown protocol version {Offered}; answering as RFB 3.3")]
    public static partial void UnknownVersion(ILogger logger, long sessionId, string offered);

    [LoggerMessage(6, LogLevel.Warning, "Session {SessionId} ({Remote}): authentication failed")]
    public static partial void AuthenticationFailed(ILogger logger, long sessionId, string remote);

    [LoggerMessage(7, LogLevel.Warning, "Refusing {Remote}: too many authentication failures, blocked for {Remaining}")]
    public static partial void AddressBlocked(ILogger logger, string remote, TimeSpan remaining);

    [LoggerMessage(8, LogLevel.Debug, "Session {SessionId}: pixel format {Format}")]
    public static partial void PixelFormatSet(ILogger logger, long sessionId, string format);

    [LoggerMessage(9, LogLevel.Debug, "Session {SessionId}: encodings {Encodings}")]
    public static partial void EncodingsSet(ILogger logger, long sessionId, string encodings);

    [LoggerMessage(10, LogLevel.Warning, "Session {SessionId}: the framebuffer is now {Width}x{Height} but the client supports no resize; it keeps its old size")]
    public static partial void CannotResize(ILogger logger, long sessionId, int width, int height);

    [LoggerMessage(11, LogLevel.Warning, "Refusing {Remote}: {Count} clients connected, the limit is {Limit}")]
    public static partial void TooManyConnections(ILogger logger, string remote, int count, int limit);

    [LoggerMessage(12, LogLevel.Information, "Stopping: closing {Count} sessions")]
    public static partial void Stopping(ILogger logger, int count);

    [LoggerMessage(13, LogLevel.Error, "Accept on {EndPoint} failed")]
    public static partial void AcceptFailed(ILogger logger, EndPoint endPoint, Exception exception);

    [LoggerMessage(14, LogLevel.Error, "Session {SessionId} ({Remote}) failed; its connection is closed, other sessions go on")]
    public static partial void SessionFailed(ILogger logger, long sessionId, string remote, Exception exception);
}
