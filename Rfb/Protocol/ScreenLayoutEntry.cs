using ConsoleBridge;

namespace Rfb.Protocol;

/// <summary>One screen of an ExtendedDesktopSize or SetDesktopSize message (rfbproto's SCREEN).</summary>
internal readonly record struct ScreenLayoutEntry(uint Id, PixelRect Bounds, uint Flags)
{
    /// <summary>Bytes of one screen on the wire.</summary>
    public const int Size = 16;
}
