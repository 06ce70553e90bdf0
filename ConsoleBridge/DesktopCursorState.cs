namespace ConsoleBridge;

/// <summary>
/// Where a head's cursor is and what it looks like: <see cref="Image"/> (null before the emulator
/// defines one), the hotspot's position in the head's pixels, and whether it is shown.
/// <see cref="Serial"/> grows with every change.
/// </summary>
public readonly record struct DesktopCursorState(DesktopCursor? Image, int X, int Y, bool Visible, long Serial)
{
    /// <summary>The pixels the cursor covers in the head (may reach outside it), or empty when not shown.</summary>
    public PixelRect Bounds => Visible && Image is { } i ? new PixelRect(X - i.HotspotX, Y - i.HotspotY, i.Width, i.Height) : default;
}
