using System.Drawing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// A virtual X display (<c>Xvfb :N -screen 0 WxHx24 -nolisten tcp</c>) for running VNC viewers; killed on dispose.
/// With several screens and Xinerama the screens form one X screen that clients see as several monitors.
/// </summary>
internal sealed partial class XvfbDisplay : IAsyncDisposable
{
    private readonly XServer _server;

    private XvfbDisplay(XServer server, IReadOnlyList<Size> screens, bool xinerama)
    {
        _server = server;
        Screens = screens;
        Xinerama = xinerama;
    }

    /// <summary>The display number N.</summary>
    public int Number => _server.Number;

    /// <summary>The display name, <c>:N</c>.</summary>
    public string Name => _server.Name;

    /// <summary>The screen sizes it was started with.</summary>
    public IReadOnlyList<Size> Screens { get; }

    public bool Xinerama { get; }

    /// <summary>Environment variables that point an X client at this display.</summary>
    public IReadOnlyDictionary<string, string> Environment => _server.Environment;

    /// <summary>The Xvfb process, for its log.</summary>
    public BackgroundProcess Process => _server.Process;

    /// <summary>Starts one 24-bit screen of <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static Task<XvfbDisplay> StartAsync(int width, int height, TimeSpan timeout, CancellationToken cancellationToken = default)
        => StartAsync([new Size(width, height)], xinerama: false, timeout, cancellationToken);

    /// <summary>Starts one 24-bit Xvfb screen per entry of <paramref name="screens"/>, joined with <c>+xinerama</c> when asked.</summary>
    public static async Task<XvfbDisplay> StartAsync(IReadOnlyList<Size> screens, bool xinerama, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (screens.Count == 0)
        {
            throw new ArgumentException("At least one screen is needed.", nameof(screens));
        }

        var xvfb = RequiredTool.Locate("Xvfb", "xvfb");
        IEnumerable<string> Arguments(int number)
        {
            yield return ":" + number.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < screens.Count; i++)
            {
                yield return "-screen";
                yield return i.ToString(CultureInfo.InvariantCulture);
                yield return string.Create(CultureInfo.InvariantCulture, $"{screens[i].Width}x{screens[i].Height}x24");
            }

            yield return xinerama ? "+xinerama" : "-xinerama";
            yield return "-nolisten";
            yield return "tcp";
            yield return "-noreset";
        }

        var server = await XServer.StartAsync(xvfb, Arguments, timeout, cancellationToken: cancellationToken);
        return new XvfbDisplay(server, [.. screens], xinerama);
    }

    /// <inheritdoc cref="XServer.RunClientAsync"/>
    public Task<ToolResult> RunClientAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
        => _server.RunClientAsync(executable, arguments, timeout, cancellationToken);

    /// <inheritdoc cref="XServer.RunClientCheckedAsync"/>
    public Task<ToolResult> RunClientCheckedAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
        => _server.RunClientCheckedAsync(executable, arguments, timeout, cancellationToken);

    /// <inheritdoc cref="XServer.CaptureWindowAsync"/>
    public Task<ImageRgb> CaptureWindowAsync(string windowId, TimeSpan timeout, CancellationToken cancellationToken = default)
        => _server.CaptureWindowAsync(windowId, timeout, cancellationToken);

    /// <summary>
    /// The monitors that X clients see, as <c>xdpyinfo -ext XINERAMA</c> reports them (empty without Xinerama).
    /// Xvfb places every screen at 0,0.
    /// </summary>
    public async Task<IReadOnlyList<Rectangle>> GetMonitorsAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var xdpyinfo = RequiredTool.Locate("xdpyinfo", "x11-utils");
        var result = await RunClientCheckedAsync(xdpyinfo, ["-ext", "XINERAMA"], timeout, cancellationToken);
        var monitors = new List<Rectangle>();
        foreach (Match match in HeadLine().Matches(result.StandardOutputText))
        {
            int Value(string name) => int.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture);
            monitors.Add(new Rectangle(Value("x"), Value("y"), Value("w"), Value("h")));
        }

        return monitors;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    // "  head #0: 320x200 @ 0,0"
    [GeneratedRegex(@"^\s*head #\d+: (?<w>\d+)x(?<h>\d+) @ (?<x>-?\d+),(?<y>-?\d+)", RegexOptions.Multiline)]
    private static partial Regex HeadLine();
}
