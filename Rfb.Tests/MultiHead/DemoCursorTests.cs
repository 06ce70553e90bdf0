using ConsoleBridge;
using DemoEmulator.Guest;

namespace Rfb.Tests.MultiHead;

public sealed class DemoCursorTests
{
    [Fact]
    public void GuestMachine_BeforeAndAfterPointer_CursorHiddenThenShownAtThePointer()
    {
        using var console = new DisplayConsole(null, new DisplayConsoleOptions { AutoRefresh = false });
        var guest = new GuestMachine(console, 320, 240);
        DesktopCursorState before = console.Cursor;
        Assert.NotNull(before.Image);
        Assert.False(before.Visible);
        Assert.Equal((PointerShape.Width, PointerShape.Height, 0, 0), (before.Image.Width, before.Image.Height, before.Image.HotspotX, before.Image.HotspotY));

        // The arrow's tip is opaque black; right of it, on the first row, nothing.
        Assert.Equal(0xFF000000u, before.Image.Pixels[0]);
        Assert.Equal(0u, before.Image.Pixels[1] >> 24);

        guest.OnPointer(40, 30, 0);
        DesktopCursorState after = console.Cursor;
        Assert.True(after.Visible);
        Assert.Equal((40, 30), (after.X, after.Y));
        Assert.Same(before.Image, after.Image);
    }
}
