using System.Net;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.MultiHead;

/// <summary>The cursor plane and head resizes against gtk-vnc's gvnccapture (no cursor encodings, DesktopSize).</summary>
public sealed class CursorAndResizeRealClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Opaque white 2×2 block, a red pixel at alpha 128 beside it, the rest transparent; hotspot (1, 1).</summary>
    private static readonly byte[] s_cursorRgba =
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255,
        0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255,
        0, 0, 0, 0, 255, 0, 0, 128, 0, 0, 0, 0,
    ];

    private static uint Pattern(int x, int y) => (uint)((x * 3 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | ((x ^ y) & 0xFF));

    [Fact]
    public async Task GvncCapture_CursorOverPattern_CaptureShowsCursorComposedIn()
    {
        int port = VncPorts.FindFreePort();
        await using var server = new MultiHeadServer(new IPEndPoint(IPAddress.Loopback, port));
        ResizingHost head = AddPatternHead(server, 211, 97);
        head.Console.DefineCursor(s_cursorRgba, 3, 4, 1, 1);
        head.Console.MoveCursor(100, 50);
        await server.Server.StartAsync(TestContext.Current.CancellationToken);

        ImageRgb expected = ImageRgb.Create(211, 97, Pattern);
        expected.Pixels[50 * 211 + 100] = expected.Pixels[50 * 211 + 101] = 0xFFFFFF;
        expected.Pixels[51 * 211 + 100] = expected.Pixels[51 * 211 + 101] = 0xFFFFFF;
        expected.Pixels[52 * 211 + 100] = HalfRedOver(Pattern(100, 52));
        ImageAssert.Equal(expected, await GvncCapture.CaptureAsync(port, Timeout, cancellationToken: TestContext.Current.CancellationToken), "gvnccapture with a cursor");
    }

    [Fact]
    public async Task GvncCapture_HeadResizedAfterServerInit_FollowsDesktopSizeAndCapturesNewSizePixelExact()
    {
        int serverPort = VncPorts.FindFreePort();
        await using var server = new MultiHeadServer(new IPEndPoint(IPAddress.Loopback, serverPort));
        ResizingHost head = AddPatternHead(server, 160, 90);
        await server.Server.StartAsync(TestContext.Current.CancellationToken);
        int port = VncPorts.FindFreePort();
        await using var proxy = new FirstMessageProxy(port, new IPEndPoint(IPAddress.Loopback, serverPort), () => head.Switch(263, 131, 0));

        // gvnccapture got 160×90 in ServerInit; only a DesktopSize can bring it to 263×131.
        ImageRgb captured = await GvncCapture.CaptureAsync(port, Timeout, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(proxy.Ran);
        ImageAssert.Equal(ImageRgb.Create(263, 131, Pattern), captured, "gvnccapture after a head resize");
    }

    /// <summary>Red at alpha 128 over a pixel: (255 × 128 + c × 127 + 127) / 255 for red, (c × 127 + 127) / 255 for the others.</summary>
    private static uint HalfRedOver(uint rgb)
    {
        uint r = (255 * 128 + ((rgb >> 16) & 0xFF) * 127 + 127) / 255;
        uint g = (((rgb >> 8) & 0xFF) * 127 + 127) / 255;
        uint b = ((rgb & 0xFF) * 127 + 127) / 255;
        return r << 16 | g << 8 | b;
    }

    private static ResizingHost AddPatternHead(MultiHeadServer server, int width, int height)
    {
        ResizingHost host = server.AddHead(1, 1);
        host.Painter = Pattern;
        host.Switch(width, height, 0);
        return host;
    }
}
