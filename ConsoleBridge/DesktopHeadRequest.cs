namespace ConsoleBridge;

/// <summary>
/// What a client asked one head to become (QEMU's "ui info"): a size, and a position in the
/// desktop. <see cref="ScreenId"/> names an existing head, or for a hotplug request a new one.
/// </summary>
public readonly record struct DesktopHeadRequest(int ScreenId, PixelRect Bounds)
{
    public int Width => Bounds.Width;

    public int Height => Bounds.Height;
}
