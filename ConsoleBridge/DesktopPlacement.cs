namespace ConsoleBridge;

/// <summary>Where a head lies in a <see cref="DesktopLayout"/>: its bounds in desktop pixels.</summary>
public readonly record struct DesktopPlacement(DesktopHead Head, PixelRect Bounds)
{
    /// <summary>The head's screen id.</summary>
    public int ScreenId => Head.ScreenId;
}
