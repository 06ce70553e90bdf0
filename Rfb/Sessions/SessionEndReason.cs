namespace Rfb.Sessions;

/// <summary>Why a session ended; logged once when it does.</summary>
public enum SessionEndReason
{
    /// <summary>The client closed the connection.</summary>
    ClientClosed,

    /// <summary>The client broke the protocol or a documented limit.</summary>
    ProtocolError,

    /// <summary>The client did not finish the handshake in time.</summary>
    HandshakeTimeout,

    /// <summary>The client failed authentication, or its address is blocked for failing.</summary>
    AuthenticationFailed,

    /// <summary>Another client connected non-shared and the policy disconnects the others.</summary>
    ReplacedByExclusiveClient,

    /// <summary>The client asked for exclusive access and the policy refuses it.</summary>
    ExclusiveAccessRefused,

    /// <summary>The client stopped reading and an update could not be sent within the send timeout.</summary>
    SendTimeout,

    /// <summary>The server is stopping.</summary>
    ServerStopping,

    /// <summary>The connection failed (reset, broken pipe).</summary>
    TransportError,

    /// <summary>
    /// The server failed while serving this client (an exception it did not expect, such as an
    /// encoder's); the exception is logged, the connection is closed and other sessions go on.
    /// </summary>
    InternalError,
}
