namespace Rfb.Protocol;

/// <summary>The limits the client message parser enforces. A message over a limit closes the connection.</summary>
public sealed class ClientMessageLimits
{
    /// <summary>
    /// Most encodings one SetEncodings may list. Real clients send about 30 (noVNC 35, TigerVNC
    /// about 40 with every quality level); the default, 512, leaves room and bounds the message to 2 KiB.
    /// </summary>
    public int MaxEncodings { get; set; } = 512;

    /// <summary>Largest ClientCutText text in bytes (default 1 MiB).</summary>
    public int MaxCutTextBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Most screens in one SetDesktopSize: 255, the most its one-byte count can say (so the message
    /// is at most 8 + 255 × 16 bytes). Fixed by the protocol, not configurable.
    /// </summary>
    public const int MaxScreens = 255;
}
