using System.Drawing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// TigerVNC's own server, <c>Xvnc</c>: an X server whose screen is served over RFB. It is the reference server
/// the harness is proven against, and a known-good peer for comparisons. Killed on dispose.
/// </summary>
internal sealed partial class XvncServer : IAsyncDisposable
{
    private readonly XServer _server;

    private XvncServer(XServer server, int port, int width, int height)
    {
        _server = server;
        Port = port;
        Width = width;
        Height = height;
    }

    /// <summary>The RFB port on 127.0.0.1 (in 5920..5999, see <see cref="VncPorts"/>).</summary>
    public int Port { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The X display of the server's desktop, for drawing into it with X clients.</summary>
    public XServer Display => _server;

    /// <summary>
    /// Starts <c>Xvnc :N -rfbport PORT -geometry WxH -depth 24 -SecurityTypes None -localhost -nolisten tcp</c>
    /// followed by <paramref name="extraArguments"/>, and waits until both the X display and the RFB port answer.
    /// </summary>
    public static async Task<XvncServer> StartAsync(int width, int height, TimeSpan timeout, IEnumerable<string>? extraArguments = null, CancellationToken cancellationToken = default)
    {
        var xvnc = RequiredTool.Locate("Xvnc", "tigervnc-standalone-server");
        var extra = extraArguments?.ToArray() ?? [];
        var port = 0;
        IEnumerable<string> Arguments(int number)
        {
            port = VncPorts.FindFreePort(); // a fresh port on every attempt, in case the last one was taken meanwhile
            return
            [
                ":" + number.ToString(CultureInfo.InvariantCulture),
                "-rfbport", port.ToString(CultureInfo.InvariantCulture),
                "-geometry", string.Create(CultureInfo.InvariantCulture, $"{width}x{height}"),
                "-depth", "24",
                "-SecurityTypes", "None",
                "-localhost",
                "-nolisten", "tcp",
                "-noreset",
                .. extra,
            ];
        }

        async Task<bool> RfbPortAnswers(int number, CancellationToken token)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, token);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        var server = await XServer.StartAsync(xvnc, Arguments, timeout, RfbPortAnswers, cancellationToken);
        return new XvncServer(server, port, width, height);
    }

    /// <summary>
    /// Splits the X screen into the monitors <paramref name="monitors"/> (as X clients see them through RandR and
    /// Xinerama) with <c>xrandr --setmonitor</c>: the first takes over the output <c>VNC-0</c> (so that the
    /// automatic monitor of the whole screen goes away), the others have no output. Throws when Xinerama then does
    /// not list exactly these monitors. Xvnc lists monitors set this way; Debian 12's Xvfb does not.
    /// </summary>
    public async Task SetMonitorsAsync(IReadOnlyList<Rectangle> monitors, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (monitors.Count == 0)
        {
            throw new ArgumentException("At least one monitor is needed.", nameof(monitors));
        }

        var xrandr = RequiredTool.Locate("xrandr", "x11-xserver-utils");
        var xdpyinfo = RequiredTool.Locate("xdpyinfo", "x11-utils");
        for (var i = 0; i < monitors.Count; i++)
        {
            // NAME W/mmWxH/mmH+X+Y OUTPUT; the physical size only feeds DPI, so 96 dpi-ish millimetres do.
            var m = monitors[i];
            var geometry = string.Create(CultureInfo.InvariantCulture, $"{m.Width}/{Math.Max(1, m.Width * 254 / 960)}x{m.Height}/{Math.Max(1, m.Height * 254 / 960)}+{m.X}+{m.Y}");
            await _server.RunClientCheckedAsync(xrandr, ["--setmonitor", "monitor" + i.ToString(CultureInfo.InvariantCulture), geometry, i == 0 ? "VNC-0" : "none"], timeout, cancellationToken);
        }

        var info = await _server.RunClientCheckedAsync(xdpyinfo, ["-ext", "XINERAMA"], timeout, cancellationToken);
        var heads = XineramaHead().Matches(info.StandardOutputText)
            .Select(match => new Rectangle(
                int.Parse(match.Groups["x"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["y"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["w"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture)))
            .ToHashSet();
        if (!heads.SetEquals(monitors) || heads.Count != monitors.Count)
        {
            throw new InvalidOperationException($"Xinerama on {_server.Name} does not list the monitors {string.Join(", ", monitors)}:\n{info.StandardOutputText}");
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    // A line of "xdpyinfo -ext XINERAMA": "  head #0: 500x400 @ 0,0".
    [GeneratedRegex(@"head #\d+: (?<w>\d+)x(?<h>\d+) @ (?<x>-?\d+),(?<y>-?\d+)")]
    private static partial Regex XineramaHead();
}
