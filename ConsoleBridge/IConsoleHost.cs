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

    /// <summary>
    /// Whether this head follows clients' size requests (<see cref="OnUiInfo"/>). When any head of
    /// a desktop answers false (the default), clients are told that resizing is prohibited.
    /// </summary>
    bool SupportsUiInfo => false;

    /// <summary>
    /// QEMU's "ui info": a client asks for this head to be <see cref="DesktopHeadRequest.Width"/> ×
    /// <see cref="DesktopHeadRequest.Height"/> at <see cref="DesktopHeadRequest.Bounds"/>' position
    /// in the desktop. A cooperative guest switches the console to a surface of that size (now or
    /// later) and may place the head there with <see cref="Desktop.MoveHead"/>; nothing changes
    /// until it does. Called only when <see cref="SupportsUiInfo"/> is true, after the request was
    /// validated, once per head of the request.
    /// </summary>
    void OnUiInfo(DesktopHeadRequest request)
    {
    }
}
