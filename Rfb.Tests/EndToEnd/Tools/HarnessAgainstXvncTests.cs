namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// Proves the harness against TigerVNC's own server: whatever Xvnc shows, gvnccapture and TigerVNC's viewer
/// must both report, pixel for pixel.
/// </summary>
public sealed class HarnessAgainstXvncTests
{
    private const int Width = 300;
    private const int Height = 200;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private static readonly string[] s_rawFullColour = ["-PreferredEncoding", "raw", "-AutoSelect=0", "-FullColor"];

    [Fact]
    public async Task Clients_XvncWithSolidRoot_SeeThatColourEverywhere()
    {
        const uint colour = 0x3366CC;
        var cancel = TestContext.Current.CancellationToken;
        var xsetroot = RequiredTool.Locate("xsetroot", "x11-xserver-utils");
        await using var server = await XvncServer.StartAsync(Width, Height, s_timeout, cancellationToken: cancel);
        await server.Display.RunClientCheckedAsync(xsetroot, ["-solid", "#3366cc"], s_timeout, cancel);
        var expected = ImageRgb.Solid(Width, Height, colour);

        var captured = await GvncCapture.CaptureAsync(server.Port, s_timeout, cancellationToken: cancel);
        ImageAssert.Equal(expected, captured, "gvnccapture");

        await using var display = await XvfbDisplay.StartAsync(Width + 100, Height + 100, s_timeout, cancel);
        await using var viewer = await TigerVncViewer.StartAsync(display, server.Port, s_rawFullColour, cancel);
        var window = await viewer.WaitForWindowAsync(s_timeout, cancel);
        Assert.Equal((Width, Height), (window.Width, window.Height));
        var frame = await viewer.WaitForFrameAsync(expected, s_timeout, cancel);
        ImageAssert.Equal(expected, frame, "TigerVNC viewer");

        // A frame that never comes: the wait gives up after its timeout and returns what the viewer shows.
        var other = await viewer.WaitForFrameAsync(ImageRgb.Solid(Width, Height, 0x3366CD), TimeSpan.FromSeconds(1), cancel);
        ImageAssert.Equal(expected, other, "TigerVNC viewer after a wait for another colour");

        // The server going away ends the viewer (no dialog left waiting), with its log kept for messages.
        await server.DisposeAsync();
        await viewer.WaitForExitAsync(s_timeout, cancel);
        Assert.Contains("Connected to host 127.0.0.1", viewer.Process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GvncCapture_NothingListening_ThrowsWithToolOutput()
    {
        var port = VncPorts.FindFreePort();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => GvncCapture.CaptureAsync(port, s_timeout, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("Unable to connect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_XvncWithTiledBitmap_SeeThePatternInPlace()
    {
        var cancel = TestContext.Current.CancellationToken;
        var xsetroot = RequiredTool.Locate("xsetroot", "x11-xserver-utils");
        await using var server = await XvncServer.StartAsync(Width, Height, s_timeout, cancellationToken: cancel);
        var directory = Directory.CreateTempSubdirectory("xvnc-pattern-");
        try
        {
            var pattern = XbmPattern.Asymmetric;
            var bitmap = pattern.WriteTo(directory.FullName);
            await server.Display.RunClientCheckedAsync(xsetroot, ["-bitmap", bitmap, "-fg", "#ff8000", "-bg", "#0a141e"], s_timeout, cancel);
        }
        finally
        {
            directory.Delete(recursive: true);
        }

        var expected = XbmPattern.Asymmetric.Tile(Width, Height, 0xFF8000, 0x0A141E);

        var captured = await GvncCapture.CaptureAsync(server.Port, s_timeout, cancellationToken: cancel);
        ImageAssert.Equal(expected, captured, "gvnccapture");

        await using var display = await XvfbDisplay.StartAsync(Width + 100, Height + 100, s_timeout, cancel);
        await using var viewer = await TigerVncViewer.StartAsync(display, server.Port, s_rawFullColour, cancel);
        var frame = await viewer.WaitForFrameAsync(expected, s_timeout, cancel);
        ImageAssert.Equal(expected, frame, "TigerVNC viewer");
    }
}
