using System.Diagnostics;
using System.Drawing;
using System.Globalization;
using System.Net;
using ConsoleBridge;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.MultiHead;

/// <summary>
/// TigerVNC's viewer full screen over all monitors of an X display with two monitors side by side (an Xvnc
/// display split with <c>xrandr --setmonitor</c>; Debian 12's Xvfb lists no monitors set that way). The viewer
/// asks for a desktop of one screen per monitor, with new screen ids; the host plugs its heads back in under
/// those ids and its guests switch to the requested sizes, and the root window shows both heads in place.
/// </summary>
public sealed class TigerVncMultiMonitorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(200);

    // Monitors of different sizes, so that a head shown on the wrong monitor, at the wrong size or
    // offset cannot match; the right one leaves a 400×100 corner that no monitor (and no head) covers.
    private static readonly Rectangle s_leftMonitor = new(0, 0, 600, 400);
    private static readonly Rectangle s_rightMonitor = new(600, 0, 400, 300);

    private static uint LeftPattern(int x, int y) => (uint)((x * 3 & 0xFF) << 16 | (y * 5 & 0xFF) << 8 | ((x ^ y) & 0xFF));

    private static uint RightPattern(int x, int y) => (uint)(((x + y) & 0xFF) << 16 | (x * 7 & 0xFF) << 8 | (0x80 | (y & 0x7F)));

    [Fact]
    public async Task TigerVncViewer_FullScreenOverTwoMonitors_HeadsFollowAndRootShowsBothPixelExact()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using XvncServer display = await XvncServer.StartAsync(1000, 400, Timeout, cancellationToken: ct);
        await display.SetMonitorsAsync([s_leftMonitor, s_rightMonitor], Timeout, ct);

        int port = VncPorts.FindFreePort();
        await using var server = new MultiHeadServer(new IPEndPoint(IPAddress.Loopback, port));
        ResizingHost left = AddPatternHead(server, 320, 200, LeftPattern);
        ResizingHost right = AddPatternHead(server, 240, 180, RightPattern);
        var plugged = new List<DesktopHeadRequest[]>();
        server.Desktop.HotplugHandler = (added, removed) =>
        {
            lock (plugged)
            {
                plugged.Add([.. added]);
            }

            return Replug(server, added, removed);
        };
        await server.Server.StartAsync(ct);

        DirectoryInfo home = Directory.CreateTempSubdirectory("tigervnc-home-");
        using var deleteHome = new TemporaryFolder(home);
        await using BackgroundProcess viewer = StartFullScreenViewer(display.Display, port, home);

        // Each head drawn at its monitor's size and place from its own origin; black where no head is.
        ImageRgb expected = ImageRgb.Create(1000, 400, (x, y) =>
            s_leftMonitor.Contains(x, y) ? LeftPattern(x - s_leftMonitor.X, y - s_leftMonitor.Y)
            : s_rightMonitor.Contains(x, y) ? RightPattern(x - s_rightMonitor.X, y - s_rightMonitor.Y)
            : 0);
        ImageRgb root = await WaitForRootAsync(display.Display, viewer, expected, ct);
        ImageAssert.Equal(expected, root, $"the root window of the viewer's display; viewer: {viewer.Describe()}");

        // The viewer's two-screen layout reached the host: both screens new (random ids), one per monitor.
        DesktopHeadRequest[] request;
        lock (plugged)
        {
            request = Assert.Single(plugged);
        }

        Assert.Equal(
            [ToPixelRect(s_leftMonitor), ToPixelRect(s_rightMonitor)],
            request.Select(r => r.Bounds).OrderBy(b => b.X));

        // Each guest was told its head's size and position (ui info) and now holds the viewer's screen id.
        DesktopHeadRequest leftRequest = Assert.Single(left.Requests);
        DesktopHeadRequest rightRequest = Assert.Single(right.Requests);
        Assert.Equal(ToPixelRect(s_leftMonitor), leftRequest.Bounds);
        Assert.Equal(ToPixelRect(s_rightMonitor), rightRequest.Bounds);
        DesktopLayout layout = server.Desktop.Layout;
        Assert.Equal((1000, 400), (layout.Width, layout.Height));
        Assert.Equal(
            [(leftRequest.ScreenId, ToPixelRect(s_leftMonitor)), (rightRequest.ScreenId, ToPixelRect(s_rightMonitor))],
            layout.Heads.Select(p => (p.ScreenId, p.Bounds)).OrderBy(p => p.Bounds.X));
        Assert.False(viewer.HasExited, viewer.Describe());
    }

    /// <summary>
    /// The test host's hotplug: every screen the client listed under a new id takes the place of a head the client
    /// left out, pairing both in left-to-right order. The head is unplugged and plugged back in with the same
    /// console under the new id, at the requested position, and its guest is told the requested size.
    /// </summary>
    private static bool Replug(MultiHeadServer server, IReadOnlyList<DesktopHeadRequest> added, IReadOnlyList<DesktopHead> removed)
    {
        if (added.Count != removed.Count || added.Any(r => r.ScreenId < 1))
        {
            return false;
        }

        DesktopLayout layout = server.Desktop.Layout;
        DesktopHead[] heads = [.. removed.OrderBy(h => layout.Find(h.ScreenId)?.Bounds.X ?? 0).ThenBy(h => layout.Find(h.ScreenId)?.Bounds.Y ?? 0)];
        DesktopHeadRequest[] requests = [.. added.OrderBy(r => r.Bounds.X).ThenBy(r => r.Bounds.Y)];
        for (int i = 0; i < heads.Length; i++)
        {
            ResizingHost host = server.Hosts.Single(h => h.Head == heads[i]);
            server.Desktop.RemoveHead(heads[i]);
            host.Head = server.Desktop.AddHead(host.Console, new DesktopPosition(requests[i].Bounds.X, requests[i].Bounds.Y), requests[i].ScreenId);
            host.OnUiInfo(requests[i]);
        }

        return true;
    }

    private static ResizingHost AddPatternHead(MultiHeadServer server, int width, int height, Func<int, int, uint> pattern)
    {
        ResizingHost host = server.AddHead(1, 1);
        host.Painter = pattern;
        host.Switch(width, height, 0);
        return host;
    }

    /// <summary>
    /// Starts TigerVNC's viewer on <paramref name="display"/>, full screen over all monitors, asking the server to
    /// follow its size (the default, given anyway), lossless. No debug logging: at that level the viewer draws a
    /// statistics graph over the framebuffer's bottom-right corner. HOME is <paramref name="home"/>, so that no saved
    /// settings leak in or out.
    /// </summary>
    private static BackgroundProcess StartFullScreenViewer(XServer display, int port, DirectoryInfo home)
    {
        string executable = RequiredTool.LocateAny("tigervnc-viewer", "xtigervncviewer", "vncviewer");
        RequiredTool.Locate("xwd", "x11-apps");
        var environment = new Dictionary<string, string>(display.Environment)
        {
            ["HOME"] = home.FullName,
            ["XDG_CONFIG_HOME"] = Path.Combine(home.FullName, ".config"),
            ["XDG_DATA_HOME"] = Path.Combine(home.FullName, ".local", "share"),
        };
        string[] arguments =
        [
            .. TigerVncViewer.DefaultOptions,
            "-FullScreen", "-FullScreenMode=All", "-RemoteResize=1",
            "-AutoSelect=0", "-PreferredEncoding=ZRLE", "-FullColor", "-NoJPEG",
            "127.0.0.1::" + port.ToString(CultureInfo.InvariantCulture),
        ];
        return BackgroundProcess.Start(executable, arguments, environment);
    }

    /// <summary>Polls <c>xwd -root</c> until it equals <paramref name="expected"/> or the timeout passes; returns the last picture.</summary>
    private static async Task<ImageRgb> WaitForRootAsync(XServer display, BackgroundProcess viewer, ImageRgb expected, CancellationToken ct)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            if (viewer.HasExited)
            {
                throw new InvalidOperationException($"The viewer exited: {viewer.Describe()}");
            }

            ImageRgb root = await display.CaptureWindowAsync("root", Timeout, ct);
            if (root.SameAs(expected) || elapsed.Elapsed >= Timeout)
            {
                return root;
            }

            await Task.Delay(s_pollInterval, ct);
        }
    }

    private static PixelRect ToPixelRect(Rectangle r) => new(r.X, r.Y, r.Width, r.Height);

    /// <summary>Deletes the viewer's HOME when the test ends.</summary>
    private sealed class TemporaryFolder(DirectoryInfo folder) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a child that is going away; the temporary folder is left behind.
            }
        }
    }
}
