namespace Rfb.Protocol;

/// <summary>
/// The peer broke the protocol or a documented limit. The message is the reason, written for
/// the log and, where the protocol allows, for the client. The connection is closed.
/// </summary>
public sealed class RfbProtocolException : Exception
{
    public RfbProtocolException(string reason)
        : base(reason)
    {
    }
}
