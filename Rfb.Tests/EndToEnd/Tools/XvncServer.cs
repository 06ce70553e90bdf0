using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// TigerVNC's own server, <c>Xvnc</c>: an X server whose screen is served over RFB. It is the reference server
/// the harness is proven against, and a known-good peer for comparisons. Killed on dispose.
/// </summary>
internal sealed class XvncServer : IAsyncDisposable
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

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
