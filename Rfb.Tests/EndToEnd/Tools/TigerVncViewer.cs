using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// TigerVNC's viewer (<c>xtigervncviewer</c> or <c>vncviewer</c>) running on an <see cref="XvfbDisplay"/> and
/// connected to <c>127.0.0.1::PORT</c>. Without a window manager its window has no decorations: the window's
/// top-left pixel is the framebuffer's top-left pixel, as long as the Xvfb screen is larger than the
/// framebuffer (otherwise the viewer adds scrollbars). Stopped on dispose.
/// </summary>
internal sealed partial class TigerVncViewer : IAsyncDisposable
{
    /// <summary>
    /// Parameters passed before the caller's (which may override them): no "Press F8" overlay blended over the
    /// framebuffer for the first seconds, and exit on connection errors instead of waiting in a dialog.
    /// </summary>
    public static IReadOnlyList<string> DefaultOptions { get; } = ["-MenuKey=", "-AlertOnFatalError=0", "-ReconnectOnError=0"];

    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_clientTimeout = TimeSpan.FromSeconds(10);

    private readonly BackgroundProcess _process;
    private readonly DirectoryInfo _home;
    private readonly string _xwininfo;

    private TigerVncViewer(XvfbDisplay display, int port, BackgroundProcess process, DirectoryInfo home, string xwininfo)
    {
        Display = display;
        Port = port;
        _process = process;
        _home = home;
        _xwininfo = xwininfo;
    }

    public XvfbDisplay Display { get; }

    public int Port { get; }

    /// <summary>The viewer process: its log (<see cref="BackgroundProcess.Output"/>), whether it exited, its exit code.</summary>
    public BackgroundProcess Process => _process;

    /// <summary>
    /// Starts the viewer on <paramref name="display"/> against 127.0.0.1::<paramref name="port"/> with the
    /// viewer parameters <paramref name="options"/> (for example <c>-PreferredEncoding raw -AutoSelect=0 -FullColor</c>,
    /// <c>-Shared</c>, <c>-RemoteResize=0</c>), placed after <see cref="DefaultOptions"/>. It does not wait for the
    /// connection; the screenshot methods do. Note that the viewer's <c>Shared</c> defaults to off.
    /// HOME points to a fresh folder so that no saved settings leak in or out.
    /// </summary>
    public static Task<TigerVncViewer> StartAsync(XvfbDisplay display, int port, IEnumerable<string> options, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var viewer = RequiredTool.LocateAny("tigervnc-viewer", "xtigervncviewer", "vncviewer");
        var xwininfo = RequiredTool.Locate("xwininfo", "x11-utils");
        RequiredTool.Locate("xwd", "x11-apps");
        var home = Directory.CreateTempSubdirectory("tigervnc-home-");
        var environment = new Dictionary<string, string>(display.Environment)
        {
            ["HOME"] = home.FullName,
            ["XDG_CONFIG_HOME"] = Path.Combine(home.FullName, ".config"),
            ["XDG_DATA_HOME"] = Path.Combine(home.FullName, ".local", "share"),
        };
        string[] arguments = [.. DefaultOptions, .. options, "127.0.0.1::" + port.ToString(CultureInfo.InvariantCulture)];
        var process = BackgroundProcess.Start(viewer, arguments, environment);
        return Task.FromResult(new TigerVncViewer(display, port, process, home, xwininfo));
    }

    /// <summary>
    /// Waits until the viewer's main window (titled "… - TigerVNC") is mapped and returns it. Throws
    /// <see cref="TimeoutException"/> with the viewer's log if it does not appear, or
    /// <see cref="InvalidOperationException"/> if the viewer exits first.
    /// </summary>
    public async Task<ViewerWindow> WaitForWindowAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ThrowIfExited();
            var window = await FindWindowAsync(cancellationToken);
            if (window is not null)
            {
                return window;
            }

            if (deadline.Elapsed >= timeout)
            {
                var tree = await Display.RunClientAsync(_xwininfo, ["-root", "-tree"], s_clientTimeout, cancellationToken);
                throw new TimeoutException($"No TigerVNC window appeared on {Display.Name} within {timeout.TotalSeconds:0.#} s. Windows:\n{tree.StandardOutputText}\nViewer: {_process.Describe()}");
            }

            await Task.Delay(s_pollInterval, cancellationToken);
        }
    }

    /// <summary>Dumps the viewer's whole window (waiting up to <paramref name="timeout"/> for it to appear).</summary>
    public async Task<ImageRgb> ScreenshotAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var window = await WaitForWindowAsync(Remaining(timeout, deadline), cancellationToken);
            try
            {
                return await Display.CaptureWindowAsync(window.Id, s_clientTimeout, cancellationToken);
            }
            catch (InvalidOperationException) when (deadline.Elapsed < timeout && !_process.HasExited)
            {
                // The window went away between listing and dumping it (the viewer resizes by recreating it); look again.
                await Task.Delay(s_pollInterval, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Polls screenshots until the framebuffer area (the window's top-left <paramref name="expected"/>.Width ×
    /// Height pixels) equals <paramref name="expected"/>, or <paramref name="timeout"/> passes. Returns the last
    /// framebuffer area seen (the whole window when it was smaller than expected), so that the caller asserts with
    /// <see cref="ImageAssert.Equal"/> and gets a pixel diff on failure.
    /// </summary>
    public async Task<ImageRgb> WaitForFrameAsync(ImageRgb expected, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ImageRgb FramebufferArea(ImageRgb shot)
            => shot.Width >= expected.Width && shot.Height >= expected.Height ? shot.Crop(0, 0, expected.Width, expected.Height) : shot;

        var last = await WaitForFrameCoreAsync(shot => FramebufferArea(shot).SameAs(expected), timeout, cancellationToken);
        return FramebufferArea(last);
    }

    /// <summary>
    /// Polls screenshots of the whole window until <paramref name="predicate"/> holds or <paramref name="timeout"/>
    /// passes, and returns the last screenshot either way (check the predicate again to assert).
    /// </summary>
    public Task<ImageRgb> WaitForFrameAsync(Func<ImageRgb, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
        => WaitForFrameCoreAsync(predicate, timeout, cancellationToken);

    /// <summary>Waits for the viewer to exit (for example after the server closed the connection) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            await _process.Exited.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The viewer did not exit within {timeout.TotalSeconds:0.#} s: {_process.Describe()}");
        }

        return _process.ExitCode!.Value;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            _home.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a child that is going away; the temporary folder is left behind.
        }
    }

    private async Task<ImageRgb> WaitForFrameCoreAsync(Func<ImageRgb, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var last = await ScreenshotAsync(timeout, cancellationToken);
        while (!predicate(last) && deadline.Elapsed < timeout)
        {
            await Task.Delay(s_pollInterval, cancellationToken);
            ThrowIfExited();
            last = await ScreenshotAsync(Remaining(timeout, deadline) + s_clientTimeout, cancellationToken);
        }

        return last;
    }

    private async Task<ViewerWindow?> FindWindowAsync(CancellationToken cancellationToken)
    {
        var tree = await Display.RunClientAsync(_xwininfo, ["-root", "-tree"], s_clientTimeout, cancellationToken);
        if (tree.ExitCode != 0)
        {
            return null;
        }

        foreach (Match match in WindowLine().Matches(tree.StandardOutputText))
        {
            var window = new ViewerWindow(
                match.Groups["id"].Value,
                match.Groups["title"].Value,
                int.Parse(match.Groups["w"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["x"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture));
            var info = await Display.RunClientAsync(_xwininfo, ["-id", window.Id], s_clientTimeout, cancellationToken);
            if (info.ExitCode == 0 && info.StandardOutputText.Contains("Map State: IsViewable", StringComparison.Ordinal))
            {
                return window;
            }
        }

        return null;
    }

    private void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The viewer exited: {_process.Describe()}");
        }
    }

    private static TimeSpan Remaining(TimeSpan timeout, Stopwatch elapsed)
    {
        var remaining = timeout - elapsed.Elapsed;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    // A top-level line of "xwininfo -root -tree": 5 spaces, id, "title": (class)  WxH+X+Y  +absX+absY.
    // The viewer's main window is titled "<desktop name> - TigerVNC".
    [GeneratedRegex("""^     (?<id>0x[0-9a-f]+) "(?<title>.* - TigerVNC)": \(.*\)\s+(?<w>\d+)x(?<h>\d+)\+(?<x>-?\d+)\+(?<y>-?\d+)""", RegexOptions.Multiline)]
    private static partial Regex WindowLine();
}
