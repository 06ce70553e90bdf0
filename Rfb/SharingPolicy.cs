namespace Rfb;

/// <summary>What the server does when a client asks for exclusive access (ClientInit shared flag 0).</summary>
public enum SharingPolicy
{
    /// <summary>RFC 6143's behaviour: the new client stays and every other client is disconnected.</summary>
    DisconnectOthers,

    /// <summary>The new client is refused while others are connected; it may connect shared.</summary>
    RefuseNonShared,
}
