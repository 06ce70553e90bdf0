namespace Rfb.Protocol;

/// <summary>Client-to-server message types (RFC 6143 §7.5 and rfbproto extensions).</summary>
internal static class ClientMessageType
{
    public const byte SetPixelFormat = 0;
    public const byte SetEncodings = 2;
    public const byte FramebufferUpdateRequest = 3;
    public const byte KeyEvent = 4;
    public const byte PointerEvent = 5;
    public const byte ClientCutText = 6;
    public const byte SetDesktopSize = 251;
    public const byte Qemu = 255;

    /// <summary>Subtype of <see cref="Qemu"/>: QEMU's extended key event.</summary>
    public const byte QemuExtendedKeyEvent = 0;
}
