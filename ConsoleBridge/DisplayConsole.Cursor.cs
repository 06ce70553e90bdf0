using System.Buffers.Binary;

namespace ConsoleBridge;

/// <summary>The cursor plane of a head: an image with a hotspot, moved and shown or hidden by the emulator.</summary>
public sealed partial class DisplayConsole
{
    private readonly object _cursorLock = new();
    private DesktopCursorState _cursor;

    /// <summary>Raised after the cursor's image, position or visibility changed. Keep it short.</summary>
    public event EventHandler? CursorChanged;

    /// <summary>The cursor now: image, hotspot position and visibility.</summary>
    public DesktopCursorState Cursor
    {
        get
        {
            lock (_cursorLock)
            {
                return _cursor;
            }
        }
    }

    /// <summary>
    /// Defines the cursor image (QEMU's <c>dpy_cursor_define</c>): <paramref name="rgba"/> holds
    /// <paramref name="width"/> × <paramref name="height"/> pixels of four bytes R, G, B, A
    /// (straight alpha), rows without padding. The cursor is shown from now on.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is outside 1..<see cref="DesktopCursor.MaxDimension"/>, the hotspot lies outside the image, or the span is too short.</exception>
    public void DefineCursor(ReadOnlySpan<byte> rgba, int width, int height, int hotspotX, int hotspotY)
    {
        if (width < 1 || height < 1 || width > DesktopCursor.MaxDimension || height > DesktopCursor.MaxDimension)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"A cursor is 1..{DesktopCursor.MaxDimension} pixels on each side; got {width}x{height}.");
        }

        if (hotspotX < 0 || hotspotY < 0 || hotspotX >= width || hotspotY >= height)
        {
            throw new ArgumentOutOfRangeException(nameof(hotspotX), $"The hotspot {hotspotX},{hotspotY} lies outside a {width}x{height} cursor.");
        }

        if (rgba.Length < width * height * 4)
        {
            throw new ArgumentOutOfRangeException(nameof(rgba), $"A {width}x{height} cursor needs {width * height * 4} bytes; got {rgba.Length}.");
        }

        var argb = new uint[width * height];
        for (int i = 0; i < argb.Length; i++)
        {
            // R, G, B, A bytes become 0xAARRGGBB.
            uint v = BinaryPrimitives.ReadUInt32BigEndian(rgba.Slice(i * 4, 4));
            argb[i] = (v >> 8) | (v << 24);
        }

        lock (_cursorLock)
        {
            long serial = _cursor.Serial + 1;
            _cursor = _cursor with { Image = new DesktopCursor(argb, width, height, hotspotX, hotspotY, serial), Visible = true, Serial = serial };
        }

        CursorChanged?.Invoke(this, EventArgs.Empty);
    }

    /// <summary>Moves the cursor's hotspot to (<paramref name="x"/>, <paramref name="y"/>) of this head (QEMU's <c>dpy_mouse_set</c>).</summary>
    public void MoveCursor(int x, int y) => SetCursor(x, y, null);

    /// <summary>Shows or hides the cursor without changing its image or position.</summary>
    public void ShowCursor(bool visible)
    {
        DesktopCursorState c = Cursor;
        SetCursor(c.X, c.Y, visible);
    }

    private void SetCursor(int x, int y, bool? visible)
    {
        lock (_cursorLock)
        {
            bool v = visible ?? _cursor.Visible;
            if (_cursor.X == x && _cursor.Y == y && _cursor.Visible == v)
            {
                return;
            }

            _cursor = _cursor with { X = x, Y = y, Visible = v, Serial = _cursor.Serial + 1 };
        }

        CursorChanged?.Invoke(this, EventArgs.Empty);
    }
}
