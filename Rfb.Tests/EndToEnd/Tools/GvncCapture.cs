using System.Globalization;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// Takes one framebuffer snapshot with gtk-vnc's <c>gvnccapture HOST:DISPLAY FILE</c> (it connects to port
/// 5900 + DISPLAY, asks for ZRLE, Hextile, RRE, CopyRect and Raw, and saves a PNG once a rectangle reaching the
/// bottom-right corner arrives).
/// </summary>
internal static class GvncCapture
{
    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> (port 5900 or above) and returns the decoded
    /// snapshot. Throws <see cref="TimeoutException"/> past <paramref name="timeout"/> and
    /// <see cref="InvalidOperationException"/> with the tool's output when it fails.
    /// </summary>
    public static async Task<ImageRgb> CaptureAsync(int port, TimeSpan timeout, string host = "127.0.0.1", CancellationToken cancellationToken = default)
    {
        var gvnccapture = RequiredTool.Locate("gvnccapture", "gvncviewer");
        var display = VncPorts.DisplayNumberOf(port);
        var directory = Directory.CreateTempSubdirectory("gvnccapture-");
        try
        {
            var file = Path.Combine(directory.FullName, "capture.png");
            var target = $"{host}:{display.ToString(CultureInfo.InvariantCulture)}";
            var result = await ToolProcess.RunAsync(gvnccapture, [target, file], timeout, null, cancellationToken);
            if (result.ExitCode != 0 || !File.Exists(file))
            {
                throw new InvalidOperationException($"gvnccapture could not capture {host} port {port}: {result.Describe()}");
            }

            return PngDecoder.Decode(await File.ReadAllBytesAsync(file, cancellationToken));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
