namespace ConsoleBridge;

/// <summary>
/// What the emulator implements to receive input from every client of a console. The calls
/// arrive on session threads, one client at a time per console; implementations should be quick
/// and must not block. Every member has an empty default, so a host overrides what it needs.
/// </summary>
public interface IConsoleHost
{
    /// <summary>
    /// A key went down or up. <paramref name="keysym"/> is the X11 keysym; <paramref name="scancode"/>
    /// is the XT scancode when the client sent QEMU's extended key event (0xE0-prefixed keys as
    /// 0xE0nn), or 0 when it did not.
    /// </summary>
    void OnKey(uint keysym, uint scancode, bool down)
    {
    }

    /// <summary>
    /// The pointer is at (<paramref name="x"/>, <paramref name="y"/>) in this console's pixels with
    /// <paramref name="buttons"/> held (bit 0 left, 1 middle, 2 right, 3/4 wheel up/down, 5/6 wheel left/right).
    /// </summary>
    void OnPointer(int x, int y, int buttons)
    {
    }

    /// <summary>The client's clipboard text (Latin-1 decoded, as RFC 6143 defines cut text).</summary>
    void OnClipboard(string text)
    {
    }
}
