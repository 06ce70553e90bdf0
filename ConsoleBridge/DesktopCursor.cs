namespace ConsoleBridge;

/// <summary>
/// A cursor image of a head: straight (not premultiplied) RGBA pixels with a hotspot, as the
/// emulator defines it with <see cref="DisplayConsole.DefineCursor"/>. Immutable.
/// </summary>
public sealed class DesktopCursor
{
    /// <summary>Largest cursor side in pixels.</summary>
    public const int MaxDimension = 256;

    private readonly uint[] _argb;

    internal DesktopCursor(uint[] argb, int width, int height, int hotspotX, int hotspotY, long serial)
    {
        _argb = argb;
        Width = width;
        Height = height;
        HotspotX = hotspotX;
        HotspotY = hotspotY;
        Serial = serial;
    }

    public int Width { get; }

    public int Height { get; }

    public int HotspotX { get; }

    public int HotspotY { get; }

    /// <summary>Counts image definitions of its console; a reader that sees it change sends the new shape.</summary>
    public long Serial { get; }

    /// <summary>The pixels as 0xAARRGGBB words (straight alpha), row-major, stride <see cref="Width"/>.</summary>
    public ReadOnlySpan<uint> Pixels => _argb;
}
